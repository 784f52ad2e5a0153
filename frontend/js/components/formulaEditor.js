// The formula editor of the field dialog: the text is checked by the server as the person types
// (nothing is saved), the problem is marked where it is, the result type is shown when it works, and
// functions and fields are picked from lists instead of remembered.
import { h, newId } from "../dom.js";
import { api } from "../api.js";
import { t, has, locale } from "../i18n.js";

const DEBOUNCE_MS = 300;
const CATEGORY_ORDER = ["text", "number", "logic", "date", "array", "record"];
let functionsOnce = null; // one fetch per page: the list only changes with the server's version

// {Name} is always valid syntax, whatever the name holds: only "}" and "\" need escaping.
export const fieldReference = (name) => `{${name.replace(/\\/g, "\\\\").replace(/}/g, "\\}")}}`;

export function typeLabel(answer) {
  const kind = answer.formula_type;
  if (kind === "array") {
    const inner = answer.array_formula_type;
    return t("formula.type.array", { type: inner && has(`formula.type.${inner}`) ? t(`formula.type.${inner}`) : t("formula.type.text") });
  }
  return has(`formula.type.${kind}`) ? t(`formula.type.${kind}`) : kind;
}

// The server's problem in the person's language: a stable code with its params (formula/errors.py), so
// the text is the page's, not the server's English `error` (kept only for a code this page does not know).
const TRANSLATED_PARAMS = ["expected", "got", "dialect"];
export function formulaErrorText(answer) {
  const code = answer && answer.error_code;
  if (!code || !has(`formula.error.${code}`)) return (answer && answer.error) || t("formula.error.invalid");
  const raw = answer.error_params || {};
  const params = {};
  for (const [k, v] of Object.entries(raw)) {
    if (TRANSLATED_PARAMS.includes(k) && has(`formula.param.${k}.${v}`)) params[k] = t(`formula.param.${k}.${v}`);
    else params[k] = typeof v === "number" ? v.toLocaleString(locale()) : String(v);
  }
  const one = raw.count === 1 && has(`formula.error.${code}.one`) ? ".one" : "";
  return t(`formula.error.${code}${one}`, params);
}

export function formulaEditor({ tableId, fields, value, fieldName, labelText }) {
  const input = h("textarea", { class: "formula-input", rows: 3, spellcheck: "false", autocomplete: "off", id: newId("formula") });
  input.value = value || "";
  // The text with its faulty character marked, under the box (a textarea cannot colour one character).
  const marker = h("pre", { class: "formula-marker", hidden: true, "aria-hidden": "true" });
  const status = h("p", { class: "formula-status", role: "status", "aria-live": "polite" });
  input.setAttribute("aria-describedby", status.id = newId("formula-status"));
  let seq = 0;
  let timer = null;

  function insert(text, caretBack = 0) {
    const start = input.selectionStart ?? input.value.length;
    input.setRangeText(text, start, input.selectionEnd ?? start, "end");
    const caret = input.selectionEnd - caretBack;
    input.focus();
    input.setSelectionRange(caret, caret);
    schedule();
  }

  function show(answer) {
    status.classList.toggle("invalid", answer.formula_type === "invalid");
    if (answer.formula_type !== "invalid") {
      marker.hidden = true;
      status.textContent = t("formula.valid", { type: typeLabel(answer) });
      return;
    }
    const pos = answer.error_position;
    const message = formulaErrorText(answer);
    status.textContent = typeof pos === "number" && answer.error_line
      ? t("formula.invalidAt", { line: answer.error_line, column: answer.error_column, message })
      : t("formula.invalid", { message });
    if (typeof pos === "number") {
      const text = input.value;
      const at = Math.min(pos, text.length);
      // Past the end (a formula cut short): mark an empty slot after the last character.
      marker.replaceChildren(text.slice(0, at), h("mark", { class: "formula-error-at" }, at < text.length ? text[at] : " "), text.slice(at + 1));
      marker.hidden = false;
    } else {
      marker.hidden = true;
    }
  }

  async function validate() {
    const text = input.value;
    const mine = ++seq;
    if (!text.trim()) { marker.hidden = true; status.textContent = ""; status.classList.remove("invalid"); return null; }
    status.textContent = t("formula.checking");
    try {
      const answer = await api.checkFormula(tableId, text, fieldName ? fieldName() : null);
      if (mine !== seq) return null; // a newer text is being checked: this answer is stale
      show(answer);
      return answer;
    } catch (e) {
      if (mine === seq) { status.textContent = ""; marker.hidden = true; }
      return null;
    }
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(validate, DEBOUNCE_MS); }
  input.addEventListener("input", schedule);

  // Fields of the table, inserted as {Name}.
  const fieldChips = h("div", { class: "chips formula-fields" }, (fields || []).map((x) =>
    h("button", { type: "button", class: "chip", title: fieldReference(x.name), onclick: () => insert(fieldReference(x.name)) }, x.name)));

  // Functions: a search box, the list by category, and the help of the one chosen or pointed at.
  const search = h("input", { type: "search", class: "formula-search", placeholder: t("formula.searchFunctions"), "aria-label": t("formula.searchFunctions") });
  const list = h("ul", { class: "formula-functions", "aria-label": t("formula.functions") });
  const help = h("div", { class: "formula-help" }, h("p", { class: "hint" }, t("formula.help")));
  let functions = [];

  function showHelp(fn) {
    const example = fn.examples && fn.examples[0];
    help.replaceChildren(...[
      h("p", {}, h("code", { class: "formula-signature" }, fn.signature), fn.dialect !== "both" ? ` ${t(`formula.dialect.${fn.dialect}`)}` : ""),
      h("p", {}, fn.description),
      example ? h("p", {}, t("formula.example"), " ", h("code", {}, example.formula), " → ", h("code", {}, JSON.stringify(example.result))) : null,
    ].filter(Boolean));
  }
  function drawFunctions() {
    const q = search.value.trim().toLowerCase();
    const shown = functions.filter((fn) => !q || fn.name.toLowerCase().includes(q) || fn.description.toLowerCase().includes(q));
    const items = [];
    for (const cat of [...CATEGORY_ORDER, ...new Set(shown.map((f) => f.category))]) {
      const inCat = shown.filter((f) => f.category === cat);
      if (!inCat.length || items.some((i) => i.dataset.category === cat)) continue;
      items.push(h("li", { class: "formula-category", dataset: { category: cat }, "aria-hidden": "true" },
        has(`formula.category.${cat}`) ? t(`formula.category.${cat}`) : cat));
      for (const fn of inCat) {
        const button = h("button", { type: "button", class: "formula-function", title: fn.signature,
          "aria-label": t("formula.insertFunction", { name: fn.name }),
          onclick: () => { showHelp(fn); insert(`${fn.name}()`, 1); },
          onmouseenter: () => showHelp(fn), onfocus: () => showHelp(fn) },
        h("span", { class: "fn-name" }, fn.name), fn.dialect !== "both" ? h("span", { class: "fn-dialect" }, fn.dialect) : null);
        items.push(h("li", {}, button));
      }
    }
    list.replaceChildren(...(items.length ? items : [h("li", { class: "hint" }, t("formula.noFunction"))]));
  }
  search.addEventListener("input", drawFunctions);
  // Enter in the search box inserts the first match instead of submitting the dialog's form.
  search.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const first = list.querySelector(".formula-function");
    if (first) first.click();
  });
  functionsOnce = functionsOnce || api.formulaFunctions().catch((e) => { functionsOnce = null; throw e; });
  functionsOnce.then((fns) => { functions = fns; drawFunctions(); }).catch(() => list.replaceChildren(h("li", { class: "hint" }, t("formula.noFunction"))));

  const label = h("label", { class: "label", for: input.id }, labelText || t("type.formula"));
  const el = h("div", { class: "formula-editor" },
    h("div", { class: "form-field" }, label, input, marker, status),
    h("div", { class: "form-field" }, h("span", { class: "label" }, t("opt.insertField")), fieldChips),
    h("div", { class: "formula-picker" },
      h("div", { class: "formula-list" }, search, list),
      help));
  if (input.value.trim()) schedule();
  return {
    el,
    input,
    value: () => input.value,
    validate,
    markError: (answer) => show({ formula_type: "invalid", ...answer }),
  };
}
