// Form conditions ("show this question only when an earlier answer matches"), evaluated in the page
// as the person answers. It follows the server's evaluator (views/evaluate.py), which decides in the
// end: a question it finds hidden has its answer ignored and is not required.

const TEXT = ["equal", "not_equal", "contains", "contains_not", "empty", "not_empty"];
const NUMBER = ["equal", "not_equal", "higher_than", "lower_than", "empty", "not_empty"];
// The conditions offered per field type: only those this file evaluates like the server.
export const CONDITIONS_BY_TYPE = {
  text: TEXT, long_text: TEXT, url: TEXT, email: TEXT, phone_number: TEXT,
  number: NUMBER, rating: NUMBER, duration: NUMBER,
  boolean: ["boolean"],
  date: ["empty", "not_empty"],
  single_select: ["single_select_equal", "single_select_not_equal", "empty", "not_empty"],
  multiple_select: ["multiple_select_has", "multiple_select_has_not", "empty", "not_empty"],
};
export const NO_VALUE = ["empty", "not_empty"];
const TRUE_WORDS = new Set(["1", "true", "t", "y", "yes", "on", "checked", "oui", "vrai"]);

const fold = (s) => String(s).toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
const numberOf = (s) => {
  if (s === null || s === undefined || String(s).trim() === "") return null;
  const n = Number(String(s).trim().replace(",", "."));
  return Number.isFinite(n) ? n : null;
};
const ids = (value) => String(value).split(",").map((p) => p.trim()).filter((p) => /^\d+$/.test(p)).map(Number);

function displayText(field, stored) {
  if (stored === null || stored === undefined) return null;
  const options = new Map((field.select_options || []).map((o) => [o.id, o.value]));
  if (field.type === "single_select") return options.get(stored) ?? null;
  if (field.type === "multiple_select") {
    const names = (stored || []).filter((i) => options.has(i)).map((i) => options.get(i));
    return names.length ? names.join(", ") : null;
  }
  if (field.type === "boolean") return stored === true ? "true" : "false";
  return String(stored);
}

function isEmpty(field, stored) {
  if (field.type === "boolean") return stored !== true;
  if (field.type === "date") return !stored;
  const text = displayText(field, stored);
  return text === null || text === "";
}

const CHECKS = {
  equal: (f, s, v) => {
    if (NUMBER === CONDITIONS_BY_TYPE[f.type]) { const n = numberOf(v); return n === null ? true : numberOf(s) === n; }
    return displayText(f, s) === v;
  },
  not_equal: (f, s, v) => (NUMBER === CONDITIONS_BY_TYPE[f.type] && numberOf(v) === null ? true : !CHECKS.equal(f, s, v)),
  contains: (f, s, v) => { const text = displayText(f, s); return text !== null && fold(text).includes(fold(v)); },
  contains_not: (f, s, v) => !CHECKS.contains(f, s, v),
  higher_than: (f, s, v) => { const n = numberOf(v), c = numberOf(s); return n === null ? true : c !== null && c > n; },
  lower_than: (f, s, v) => { const n = numberOf(v), c = numberOf(s); return n === null ? true : c !== null && c < n; },
  empty: (f, s) => isEmpty(f, s),
  not_empty: (f, s) => !isEmpty(f, s),
  boolean: (f, s, v) => (s === true) === TRUE_WORDS.has(String(v).trim().toLowerCase()),
  single_select_equal: (f, s, v) => { const i = ids(v).slice(0, 1); return !i.length || s === i[0]; },
  single_select_not_equal: (f, s, v) => (!ids(v).length ? true : !CHECKS.single_select_equal(f, s, v)),
  multiple_select_has: (f, s, v) => { const i = ids(v); return !i.length || (Array.isArray(s) && i.some((x) => s.includes(x))); },
  multiple_select_has_not: (f, s, v) => (!ids(v).length ? true : !CHECKS.multiple_select_has(f, s, v)),
};

// entry: {show_when_matching_conditions, condition_type, conditions}; valueOf(fieldId) -> the answer as
// the API takes it (null when not asked or hidden); fieldOf(fieldId) -> the field. Unknown conditions pass.
export function conditionsMet(entry, valueOf, fieldOf) {
  if (!entry.show_when_matching_conditions || !(entry.conditions || []).length) return true;
  const results = [];
  for (const c of entry.conditions) {
    const field = fieldOf(c.field);
    const check = CHECKS[c.type];
    if (!field || !check) continue;
    const value = c.value === null || c.value === undefined ? "" : String(c.value);
    if (value === "" && !["empty", "not_empty"].includes(c.type)) continue; // an unfinished condition is inactive
    results.push(check(field, valueOf(c.field), value));
  }
  if (!results.length) return true;
  return String(entry.condition_type || "AND").toUpperCase() === "AND" ? results.every(Boolean) : results.some(Boolean);
}
