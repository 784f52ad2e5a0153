// Create or edit a field: name, type, the options of that type, a description. Before a type change
// the server counts the values that would be emptied (same conversion as the change) and the person
// confirms with those numbers; a formula is checked as it is typed (formulaEditor.js).
import { h, newId } from "../dom.js";
import { api } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { openDialog, confirmDialog } from "./dialog.js";
import { toast } from "./toast.js";
import { formulaEditor, formulaErrorText } from "./formulaEditor.js";
import { conditionEditor } from "./conditionEditor.js";
import { FILTERS_BY_TYPE } from "./panels.js";

export const FIELD_TYPES = ["text", "long_text", "number", "rating", "boolean", "date", "duration", "single_select", "multiple_select",
  "url", "email", "phone_number", "link_row", "lookup", "rollup", "count", "formula", "autonumber", "uuid", "created_on", "last_modified",
  "created_by", "last_modified_by"];
export const COLORS = ["blue", "green", "orange", "red", "yellow", "purple", "light-blue", "light-green", "dark-orange"];
// The server's rollup functions (fields/lookup.py RollupFunction).
const ROLLUPS = ["sum", "avg", "min", "max", "count", "count_nonempty", "count_unique", "concat", "and", "or", "earliest", "latest"];
// Conversions that always keep every value.
const SAFE = { text: ["long_text", "single_select", "multiple_select"], long_text: ["text"], number: ["text", "long_text"], rating: ["number", "text"],
  boolean: ["text"], date: ["text"], url: ["text", "long_text"], email: ["text", "long_text"], phone_number: ["text", "long_text"], single_select: ["text", "multiple_select"] };

function row(label, input, hint) {
  const id = input.id || (input.id = newId("f"));
  return h("div", { class: "form-field" }, h("label", { for: id, class: "label" }, label), input, hint ? h("span", { class: "hint" }, hint) : null);
}
function check(label, checked) {
  const input = h("input", { type: "checkbox", checked: Boolean(checked) });
  return { input, el: h("label", { class: "check-row" }, input, " ", label) };
}

export function fieldDialog({ tableId, field, fields, tables, onSaved }) {
  const editing = Boolean(field);
  let current = field ? { ...field } : null;
  const name = h("input", { type: "text", value: field ? field.name : "", required: true });
  const type = h("select", {}, FIELD_TYPES.map((tp) => h("option", { value: tp, selected: (field ? field.type : "text") === tp }, t(`type.${tp}`))));
  if (field && field.primary) for (const o of type.options) if (["link_row", "lookup", "rollup", "count"].includes(o.value)) o.disabled = true;
  const description = h("textarea", { rows: 2 }, field && field.description ? field.description : "");
  description.value = field && field.description ? field.description : "";
  const optionsBox = h("div", { class: "type-options" });
  const error = h("p", { class: "form-error", role: "alert" });
  let collect = () => ({});
  let editor = null; // the formula editor, when the type is formula

  function drawOptions() {
    const tp = type.value;
    const f = field && field.type === tp ? field : {};
    optionsBox.replaceChildren();
    collect = () => ({});
    editor = null;
    if (tp === "number") {
      const places = h("select", {}, [0, 1, 2, 3, 4, 5].map((n) => h("option", { value: n, selected: (f.number_decimal_places || 0) === n }, n === 0 ? "1" : `1,${"0".repeat(n)}`)));
      const neg = check(t("opt.negative"), f.number_negative !== false);
      optionsBox.append(row(t("opt.decimals"), places), neg.el);
      collect = () => ({ number_decimal_places: Number(places.value), number_negative: neg.input.checked });
    } else if (tp === "rating") {
      const max = h("select", {}, [3, 4, 5, 6, 7, 8, 9, 10].map((n) => h("option", { value: n, selected: (f.max_value || 5) === n }, n)));
      optionsBox.append(row(t("opt.maxRating"), max));
      collect = () => ({ max_value: Number(max.value) });
    } else if (tp === "date") {
      const fmt = h("select", {}, ["EU", "US", "ISO"].map((v) => h("option", { value: v, selected: (f.date_format || "EU") === v }, t(`opt.dateFormat.${v}`))));
      const time = check(t("opt.includeTime"), f.date_include_time);
      const tf = h("select", {}, ["24", "12"].map((v) => h("option", { value: v, selected: (f.date_time_format || "24") === v }, t(`opt.timeFormat.${v}`))));
      optionsBox.append(row(t("opt.dateFormat"), fmt), time.el, row(t("opt.timeFormat"), tf));
      collect = () => ({ date_format: fmt.value, date_include_time: time.input.checked, date_time_format: tf.value });
    } else if (tp === "duration") {
      const fmt = h("select", {}, ["h:mm", "h:mm:ss", "d h", "d h:mm"].map((v) => h("option", { value: v, selected: (f.duration_format || "h:mm") === v }, v)));
      optionsBox.append(row(t("opt.durationFormat"), fmt));
      collect = () => ({ duration_format: fmt.value });
    } else if (tp === "single_select" || tp === "multiple_select") {
      const source = f.select_options || (field && (field.type === "single_select" || field.type === "multiple_select") ? field.select_options : []) || [];
      const list = h("ul", { class: "option-list" });
      const addOption = (o) => {
        const value = h("input", { type: "text", value: o.value || "", "aria-label": t("opt.optionValue") });
        const color = h("select", { "aria-label": t("opt.optionColor"), class: `color-select color-${o.color || "blue"}` },
          COLORS.map((c) => h("option", { value: c, selected: (o.color || "blue") === c }, t(`color.${c}`))));
        color.addEventListener("change", () => { color.className = `color-select color-${color.value}`; });
        const li = h("li", { dataset: { id: o.id || "" } }, value, color,
          h("button", { type: "button", class: "icon", "aria-label": t("opt.removeOption"), onclick: () => li.remove() }, "×"));
        list.append(li);
        return value;
      };
      source.forEach(addOption);
      const add = h("button", { type: "button", class: "quiet", onclick: () => addOption({ color: COLORS[list.children.length % COLORS.length] }).focus() }, `+ ${t("opt.addOption")}`);
      optionsBox.append(h("div", { class: "form-field" }, h("span", { class: "label" }, t("opt.options")), list, add));
      collect = () => ({ select_options: [...list.children].map((li) => {
        const [v, c] = li.querySelectorAll("input,select");
        const o = { value: v.value.trim(), color: c.value };
        if (li.dataset.id) o.id = Number(li.dataset.id);
        return o;
      }).filter((o) => o.value) });
    } else if (tp === "link_row") {
      const target = h("select", {}, (tables || []).map((tb) => h("option", { value: tb.id, selected: f.link_row_table_id === tb.id }, tb.name)));
      const related = check(t("opt.relatedField"), f.has_related_field !== false);
      optionsBox.append(row(t("opt.linkTable"), target), related.el);
      collect = () => ({ link_row_table_id: Number(target.value), has_related_field: related.input.checked });
    } else if (tp === "lookup" || tp === "rollup" || tp === "count") {
      const links = fields.filter((x) => x.type === "link_row");
      if (!links.length) { optionsBox.append(h("p", { class: "hint" }, t("opt.needLink"))); collect = () => ({}); return; }
      const through = h("select", {}, links.map((x) => h("option", { value: x.id, selected: f.through_field_id === x.id }, x.name)));
      optionsBox.append(row(t("opt.through"), through));
      let target = null, fn = null;
      // Only the linked rows matching these conditions are looked up or counted (options.filters).
      let filterTree = f.filters && (f.filters.filters || []).length ? f.filters : null;
      const only = check(t("opt.linkedFilterToggle"), Boolean(filterTree));
      const filterBox = h("div", { class: "linked-filter" });
      let remoteFields = [];
      const drawFilter = () => {
        filterBox.replaceChildren();
        if (!only.input.checked || !remoteFields.length) return;
        const usable = remoteFields.filter((x) => FILTERS_BY_TYPE[x.type]);
        const start = filterTree || { filter_type: "AND", filters: [{ field: usable[0].id, type: FILTERS_BY_TYPE[usable[0].type][0], value: "" }] };
        filterTree = start;
        const ed = conditionEditor({ fields: usable, tree: start, typesFor: (x) => FILTERS_BY_TYPE[x.type], onChange: (tree) => { filterTree = tree; } });
        filterBox.append(ed.el);
      };
      only.input.addEventListener("change", drawFilter);
      let loads = 0;
      const loadRemote = async () => {
        const link = links.find((x) => x.id === Number(through.value));
        const mine = ++loads;
        try {
          const loaded = await api.fields(link.link_row_table_id);
          if (mine !== loads) return; // another link was chosen meanwhile
          remoteFields = loaded;
          // Keep what the person already chose when the same table's fields arrive again.
          const chosen = target && target.value ? Number(target.value) : f.target_field_id;
          if (target) target.replaceChildren(...remoteFields.map((x) => h("option", { value: x.id, selected: chosen === x.id }, x.name)));
          if (filterTree && !filterTree.filters.every((c) => remoteFields.some((x) => x.id === c.field))) filterTree = null;
          drawFilter();
        } catch (e) { error.textContent = errorMessage(e); }
      };
      let shownLink = through.value;
      through.addEventListener("change", () => {
        if (through.value === shownLink) return;
        shownLink = through.value;
        filterTree = null;
        if (target) target.replaceChildren();
        loadRemote();
      });
      if (tp !== "count") {
        target = h("select", {});
        optionsBox.append(row(t("opt.target"), target));
        if (tp === "rollup") {
          fn = h("select", {}, ROLLUPS.map((r) => h("option", { value: r, selected: (f.rollup_function || "sum") === r }, t(`rollup.${r}`))));
          optionsBox.append(row(t("opt.rollupFunction"), fn));
        }
      }
      optionsBox.append(only.el, filterBox);
      loadRemote();
      collect = () => ({ through_field_id: Number(through.value), ...(target ? { target_field_id: Number(target.value) } : {}), ...(fn ? { rollup_function: fn.value } : {}),
        filters: only.input.checked && filterTree && filterTree.filters.length ? filterTree : null });
    } else if (tp === "formula") {
      editor = formulaEditor({ tableId, fields: fields.filter((x) => !field || x.id !== field.id), value: f.formula || "", fieldName: () => name.value.trim() || null });
      optionsBox.append(editor.el);
      collect = () => ({ formula: editor.value() });
    }
  }
  type.addEventListener("change", drawOptions);
  drawOptions();

  function showFormulaError(answer) {
    const msg = answer.error || (answer.detail && (answer.detail.formula || answer.detail)) || "";
    const pos = answer.error_position ?? answer.position ?? (answer.detail && answer.detail.position);
    const text = typeof msg === "string" ? msg : JSON.stringify(msg);
    error.textContent = t("formula.error", { message: text });
    if (editor) {
      // Marks the position in the text as the person typed it, and words the problem in their language
      // (the save's refusal is the API's English).
      editor.validate().then((checked) => {
        if (checked && checked.formula_type === "invalid") error.textContent = t("formula.error", { message: formulaErrorText(checked) });
      });
      if (typeof pos === "number") { editor.input.focus(); editor.input.setSelectionRange(pos, Math.min(editor.input.value.length, pos + 1)); }
    }
  }

  // The warning before a type change, with the server's counts; true when the change may go ahead.
  async function confirmTypeChange(patch) {
    let preview = null;
    try { preview = await api.previewFieldChange(current.id, patch); } catch (e) {
      if (e.status && e.status < 500 && e.status !== 404) throw e; // the change itself would be refused the same way
    }
    const typeChanged = current.type !== patch.type;
    if (preview && !preview.lost_values && !preview.changed_values && !preview.replaced_values) return true;
    if (!preview && (!typeChanged || (SAFE[current.type] || []).includes(patch.type))) return true;
    const quote = (v) => `« ${v} »`;
    const lines = [];
    if (typeChanged) lines.push(t("field.typeChange.from", { name: current.name, from: t(`type.${current.type}`), to: t(`type.${patch.type}`) }));
    if (!preview) lines.push(t("field.typeChange.text", { name: current.name, from: t(`type.${current.type}`), to: t(`type.${patch.type}`) }));
    else {
      if (preview.lost_values) {
        lines.push(t("field.typeChange.lost", { count: preview.lost_values, total: preview.non_empty,
          examples: preview.lost_examples.map(quote).join(", ") }));
      }
      if (preview.changed_values) {
        lines.push(t("field.typeChange.changed", { count: preview.changed_values,
          examples: preview.changed_examples.map((c) => `${quote(c.before)} → ${quote(c.after)}`).join(", ") }));
      }
      if (preview.replaced_values) lines.push(t("field.typeChange.replaced", { count: preview.replaced_values }));
      if (preview.lost_values || preview.replaced_values) lines.push(t("field.typeChange.undoHint"));
    }
    return confirmDialog({ title: t("field.typeChange.title"), danger: Boolean(!preview || preview.lost_values || preview.replaced_values),
      confirm: t("field.typeChange.confirm"), message: lines.join(" ") });
  }

  async function save(close) {
    error.textContent = "";
    const spec = { name: name.value.trim(), type: type.value, description: description.value.trim() || null, ...collect() };
    if (!spec.name) { error.textContent = t("field.nameRequired"); name.focus(); return; }
    try {
      let saved;
      if (current) {
        const patch = { ...spec };
        if (patch.description === null && !current.description) delete patch.description;
        // Options of the same type can lose or round values too (fewer decimals): ask the server.
        const convertible = !["formula", "lookup", "rollup", "count"].includes(spec.type);
        if ((current.type !== spec.type || convertible) && !(await confirmTypeChange(patch))) return;
        saved = await api.updateField(current.id, patch);
      } else {
        saved = await api.createField(tableId, spec);
      }
      current = saved;
      if (saved.error) { showFormulaError(saved); onSaved(saved, { keepOpen: true }); return; }
      if (saved.lost_values) toast(t("field.lostValues", { count: saved.lost_values }), { kind: "error" });
      else toast(editing ? t("field.updated", { name: saved.name }) : t("field.created", { name: saved.name }));
      close(saved);
      onSaved(saved, {});
    } catch (e) {
      if (spec.type === "formula" && e.detail) { showFormulaError({ error: typeof e.detail === "string" ? e.detail : e.detail.error || errorMessage(e), ...(typeof e.detail === "object" ? e.detail : {}) }); return; }
      error.textContent = errorMessage(e);
    }
  }

  const form = h("form", { class: "field-form", onsubmit: (e) => { e.preventDefault(); save(dlg.close); } },
    row(t("field.name"), name), row(t("field.type"), type), optionsBox, row(t("field.description"), description), error,
    h("button", { type: "submit", hidden: true }));
  const dlg = openDialog({
    title: editing ? t("field.edit", { name: field.name }) : t("field.add"),
    body: form,
    actions: [
      { label: t("common.cancel"), run: (close) => close(null) },
      { label: editing ? t("common.save") : t("field.create"), kind: "primary", run: (close) => save(close) },
    ],
  });
  // The formula editor needs room for its function list.
  const widen = () => dlg.el.classList.toggle("wide", type.value === "formula");
  type.addEventListener("change", widen);
  widen();
  name.focus();
  return dlg;
}
