// Toolbar popovers: filters (AND/OR, groups), sorts, hidden fields. The page saves what they change in the
// open view (tablePage.js); search is not theirs and stays per person.
import { h, append } from "../dom.js";
import { t } from "../i18n.js";
import { parseDate } from "../cells/date.js";
import { parseDecimal } from "../cells/number.js";

const TEXT = ["contains", "contains_not", "equal", "not_equal", "empty", "not_empty"];
const NUM = ["equal", "not_equal", "higher_than", "higher_than_or_equal", "lower_than", "lower_than_or_equal", "empty", "not_empty"];
export const FILTERS_BY_TYPE = {
  text: TEXT, long_text: TEXT, url: TEXT, email: TEXT, phone_number: TEXT, uuid: ["contains", "equal", "empty", "not_empty"],
  number: NUM, rating: NUM, duration: NUM, autonumber: NUM, count: NUM, rollup: NUM,
  boolean: ["boolean"],
  date: ["date_equal", "empty", "not_empty"], created_on: ["date_equal"], last_modified: ["date_equal"],
  single_select: ["single_select_equal", "single_select_not_equal", "empty", "not_empty"],
  multiple_select: ["multiple_select_has", "multiple_select_has_not", "empty", "not_empty"],
  link_row: ["link_row_has", "link_row_has_not", "empty", "not_empty"],
  formula: ["contains", "equal", "empty", "not_empty"], lookup: ["has_value_containing", "has_empty_value", "has_not_empty_value"],
};
const NO_VALUE = ["empty", "not_empty", "has_empty_value", "has_not_empty_value"];

function popover(title, content, anchor, onClose) {
  const el = h("section", { class: "popover", role: "dialog", "aria-label": title, tabindex: "-1" }, h("h2", {}, title), content);
  document.body.append(el);
  const r = anchor.getBoundingClientRect();
  el.style.top = `${r.bottom + 4}px`;
  el.style.left = `${Math.max(4, Math.min(r.left, innerWidth - el.offsetWidth - 8))}px`;
  const close = () => { el.remove(); document.removeEventListener("mousedown", outside, true); onClose && onClose(); anchor.focus(); };
  const outside = (e) => { if (!el.contains(e.target) && e.target !== anchor && !(e.target.closest && e.target.closest(".menu"))) close(); };
  el.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.stopPropagation(); close(); } });
  setTimeout(() => document.addEventListener("mousedown", outside, true));
  return { el, close };
}

// --- view persistence: the panels save into the open view and say how it went ---
// onChange returns a promise (or nothing when nothing is saved); a rejection carries the text to show,
// and `readOnly` when the server refused for the person's role: the panel then locks itself.
function saveStatus(box, readOnlyText) {
  const el = h("p", { class: "save-status", role: "status", "aria-live": "polite" });
  let n = 0;
  const lock = () => {
    for (const c of box.querySelectorAll("input,select,button")) c.disabled = true;
    if (readOnlyText && !box.querySelector(".read-only-note")) box.prepend(h("p", { class: "read-only-note" }, readOnlyText));
  };
  return {
    el, lock,
    track(p) {
      if (!p || !p.then) return;
      const me = ++n;
      el.className = "save-status saving"; el.textContent = t("viewSave.saving");
      p.then(() => { if (me === n) { el.className = "save-status saved"; el.textContent = t("viewSave.saved"); } },
        (e) => {
          if (e && e.readOnly) lock();
          if (me === n) { el.className = "save-status failed"; el.textContent = (e && e.message) || t("error.unknown"); }
        });
    },
  };
}
// --- end view persistence block ---

// tree: {filter_type, filters: [{id?, field, type, value}], groups: [{id?, filter_type, filters}]}. onChange gets
// the panel's own tree (the same objects each time), so the caller can note on them the ids the server gave.
// readOnly: the person may look but not change (the text says why).
export function filterPanel({ anchor, fields, tree, onChange, readOnly = null }) {
  tree = tree ? JSON.parse(JSON.stringify(tree)) : { filter_type: "AND", filters: [], groups: [] };
  tree.groups = tree.groups || [];
  const box = h("div", { class: "filter-panel" });
  const status = saveStatus(box, t("viewSave.readOnly.filters"));
  let timer = null;
  // A typed value waits for a pause; a choice in a list is saved at once.
  const changed = (wait = 0) => { clearTimeout(timer); timer = setTimeout(() => status.track(onChange(tree)), wait); };

  function conditionRow(group, cond) {
    const fieldSel = h("select", { "aria-label": t("filter.field") }, fields.map((f) => h("option", { value: f.id, selected: f.id === cond.field }, f.name)));
    const typeSel = h("select", { "aria-label": t("filter.operator") });
    const valueBox = h("span", { class: "filter-value" });
    const field = () => fields.find((f) => f.id === Number(fieldSel.value));
    function drawTypes() {
      const types = [...(FILTERS_BY_TYPE[field().type] || ["empty", "not_empty"])];
      // A saved filter of a type this panel does not offer (set through the API) is kept as it is.
      if (cond.keepType && cond.type && !types.includes(cond.type)) types.push(cond.type);
      if (!types.includes(cond.type)) cond.type = types[0];
      typeSel.replaceChildren(...types.map((tp) => h("option", { value: tp, selected: tp === cond.type }, t(`filter.${tp}`))));
      drawValue();
    }
    function drawValue() {
      const f = field();
      valueBox.replaceChildren();
      if (NO_VALUE.includes(cond.type)) return;
      let input;
      if (f.type === "boolean") {
        input = h("select", { "aria-label": t("filter.value") }, h("option", { value: "1", selected: cond.value === "1" }, t("cell.yes")), h("option", { value: "0", selected: cond.value !== "1" }, t("cell.no")));
        cond.value = input.value;
        input.addEventListener("change", () => { cond.value = input.value; changed(); });
      } else if (f.type === "single_select" || f.type === "multiple_select") {
        input = h("select", { "aria-label": t("filter.value") }, h("option", { value: "" }, "—"), (f.select_options || []).map((o) => h("option", { value: o.id, selected: String(o.id) === String(cond.value) }, o.value)));
        input.addEventListener("change", () => { cond.value = input.value; changed(); });
      } else {
        const date = cond.type === "date_equal";
        input = h("input", { type: "text", "aria-label": t("filter.value"), placeholder: date ? t("date.placeholder") : "" });
        input.value = cond.display ?? cond.value ?? "";
        input.addEventListener("input", () => {
          cond.display = input.value;
          const num = ["number", "rating", "duration", "autonumber", "count", "rollup"].includes(f.type);
          cond.value = date ? String(parseDate(input.value, {}) || "") : num ? String(parseDecimal(input.value) ?? "") : input.value;
          changed(400);
        });
      }
      valueBox.append(input);
    }
    fieldSel.addEventListener("change", () => { cond.field = Number(fieldSel.value); cond.value = ""; delete cond.display; delete cond.keepType; drawTypes(); changed(); });
    typeSel.addEventListener("change", () => { cond.type = typeSel.value; drawValue(); changed(); });
    drawTypes();
    return h("div", { class: "filter-row" }, fieldSel, typeSel, valueBox,
      h("button", { type: "button", class: "icon", "aria-label": t("filter.remove"), onclick: () => { group.filters.splice(group.filters.indexOf(cond), 1); draw(); changed(); } }, "×"));
  }

  function groupBox(group, parent) {
    const type = h("select", { "aria-label": t("filter.combine") }, ["AND", "OR"].map((v) => h("option", { value: v, selected: group.filter_type === v }, t(`filter.${v}`))));
    type.addEventListener("change", () => { group.filter_type = type.value; changed(); });
    const el = h("div", { class: parent ? "filter-group" : "filter-root" },
      h("div", { class: "filter-combine" }, h("span", {}, t("filter.match")), type),
      group.filters.map((c) => conditionRow(group, c)),
      parent ? null : group.groups.map((g) => groupBox(g, group)),
      h("div", { class: "filter-actions" },
        h("button", { type: "button", class: "quiet", onclick: () => { group.filters.push({ field: fields[0].id, type: "", value: "" }); draw(); changed(); } }, `+ ${t("filter.add")}`),
        parent ? h("button", { type: "button", class: "quiet", onclick: () => { parent.groups.splice(parent.groups.indexOf(group), 1); draw(); changed(); } }, t("filter.removeGroup"))
          : h("button", { type: "button", class: "quiet", onclick: () => { group.groups.push({ filter_type: "AND", filters: [{ field: fields[0].id, type: "", value: "" }] }); draw(); changed(); } }, `+ ${t("filter.addGroup")}`)));
    return el;
  }
  function draw() {
    box.replaceChildren(groupBox(tree, null));
    if (!tree.filters.length && !tree.groups.length) box.prepend(h("p", { class: "hint" }, t("filter.none")));
    if (readOnly) status.lock();
  }
  draw();
  const p = popover(t("filter.title"), h("div", {}, box, status.el), anchor);
  const first = box.querySelector("select:not([disabled]),button:not([disabled])");
  (first || p.el).focus(); // read-only: the popover itself, so that Escape still closes it
  return p;
}

export function clean(tree) {
  const strip = (g) => ({ filter_type: g.filter_type, filters: g.filters.filter((c) => c.type && (NO_VALUE.includes(c.type) || c.value !== "")).map(({ field, type, value }) => ({ field, type, value: value ?? "" })) });
  const out = strip(tree);
  const groups = (tree.groups || []).map(strip).filter((g) => g.filters.length);
  if (groups.length) out.groups = groups;
  return out.filters.length || groups.length ? out : null;
}
export const filterCount = (tree) => (tree ? tree.filters.length + (tree.groups || []).reduce((n, g) => n + g.filters.length, 0) : 0);

// sorts: [{field, desc}]
export function sortPanel({ anchor, fields, sorts, onChange: save, readOnly = null }) {
  sorts = sorts.map((s) => ({ ...s }));
  const box = h("div", { class: "sort-panel" });
  const status = saveStatus(box, t("viewSave.readOnly.sorts"));
  const onChange = (list) => status.track(save(list.map((s) => ({ ...s }))));
  function draw() {
    box.replaceChildren();
    append(box, [
      sorts.length ? null : h("p", { class: "hint" }, t("sort.none")),
      sorts.map((s, i) => {
        const fieldSel = h("select", { "aria-label": t("sort.field") }, fields.map((f) => h("option", { value: f.id, selected: f.id === s.field }, f.name)));
        const dir = h("select", { "aria-label": t("sort.direction") }, h("option", { value: "asc", selected: !s.desc }, t("sort.asc")), h("option", { value: "desc", selected: s.desc }, t("sort.desc")));
        fieldSel.addEventListener("change", () => { s.field = Number(fieldSel.value); onChange(sorts); });
        dir.addEventListener("change", () => { s.desc = dir.value === "desc"; onChange(sorts); });
        return h("div", { class: "sort-row" }, h("span", { class: "muted" }, i === 0 ? t("sort.by") : t("sort.then")), fieldSel, dir,
          h("button", { type: "button", class: "icon", "aria-label": t("sort.remove"), onclick: () => { sorts.splice(i, 1); draw(); onChange(sorts); } }, "×"));
      }),
      h("button", { type: "button", class: "quiet", onclick: () => {
        const used = new Set(sorts.map((s) => s.field));
        const f = fields.find((x) => !used.has(x.id)) || fields[0];
        sorts.push({ field: f.id, desc: false }); draw(); onChange(sorts);
      } }, `+ ${t("sort.add")}`)]);
    if (readOnly) status.lock();
  }
  draw();
  const p = popover(t("sort.title"), h("div", {}, box, status.el), anchor);
  const first = box.querySelector("select:not([disabled]),button:not([disabled])");
  (first || p.el).focus();
  return p;
}

export function hiddenPanel({ anchor, fields, hidden, onChange, readOnly = null }) {
  const set = new Set(hidden);
  const list = h("ul", { class: "hidden-panel" });
  const box = h("div", {}, list);
  const status = saveStatus(box, t("viewSave.readOnly.fields"));
  list.append(...fields.filter((f) => !f.primary).map((f) => {
    const input = h("input", { type: "checkbox", checked: !set.has(f.id) });
    input.addEventListener("change", () => { if (input.checked) set.delete(f.id); else set.add(f.id); status.track(onChange([...set])); });
    return h("li", {}, h("label", {}, input, " ", f.name));
  }));
  if (readOnly) status.lock();
  box.append(status.el);
  const p = popover(t("fields.shown"), box, anchor);
  const first = list.querySelector("input:not([disabled])");
  (first || p.el).focus();
  return p;
}

// --- group-by (grid live feature) ---
// groups: [{field, order: "ASC"|"DESC"}], saved in the view by the caller. Several levels nest.
export function groupPanel({ anchor, fields, groups, onChange, readOnly = null }) {
  groups = groups.map((g) => ({ field: g.field, order: g.order || "ASC" }));
  const box = h("div", { class: "sort-panel group-panel" });
  const status = saveStatus(box, t("viewSave.readOnly.groups")); // view persistence: read-only for lower roles
  const changed = () => onChange(groups.map((g) => ({ ...g })));
  function draw() {
    box.replaceChildren();
    append(box, [
      groups.length ? null : h("p", { class: "hint" }, t("groups.none")),
      groups.map((g, i) => {
        const taken = new Set(groups.filter((x) => x !== g).map((x) => x.field));
        const fieldSel = h("select", { "aria-label": t("groups.field") },
          fields.filter((f) => !taken.has(f.id)).map((f) => h("option", { value: f.id, selected: f.id === g.field }, f.name)));
        const dir = h("select", { "aria-label": t("sort.direction") },
          h("option", { value: "ASC", selected: g.order !== "DESC" }, t("sort.asc")), h("option", { value: "DESC", selected: g.order === "DESC" }, t("sort.desc")));
        fieldSel.addEventListener("change", () => { g.field = Number(fieldSel.value); changed(); draw(); box.querySelectorAll("select")[i * 2]?.focus(); });
        dir.addEventListener("change", () => { g.order = dir.value; changed(); });
        return h("div", { class: "sort-row" }, h("span", { class: "muted" }, i === 0 ? t("groups.by") : t("groups.then")), fieldSel, dir,
          h("button", { type: "button", class: "icon", "aria-label": t("groups.remove"), onclick: () => { groups.splice(i, 1); draw(); changed(); box.querySelector("select,button")?.focus(); } }, "×"));
      }),
      groups.length >= fields.length ? null : h("button", { type: "button", class: "quiet", onclick: () => {
        const used = new Set(groups.map((g) => g.field));
        const f = fields.find((x) => x.type === "single_select" && !used.has(x.id)) || fields.find((x) => !used.has(x.id));
        if (!f) return;
        groups.push({ field: f.id, order: "ASC" }); draw(); changed();
        const sels = box.querySelectorAll("select");
        sels[sels.length - 2]?.focus();
      } }, `+ ${t("groups.add")}`)]);
    if (readOnly) status.lock();
  }
  draw();
  const p = popover(t("groups.title"), h("div", {}, box, status.el), anchor);
  const first = box.querySelector("select:not([disabled]),button:not([disabled])");
  (first || p.el).focus();
  return p;
}
// --- end group-by ---
