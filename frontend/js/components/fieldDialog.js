// Create or edit a field: name, type, the options of that type, a description. A type change that
// could empty values is explained and confirmed first; a formula is checked by the server and its
// error shown where it is.
import { h, newId } from "../dom.js";
import { api } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { openDialog, confirmDialog } from "./dialog.js";
import { toast } from "./toast.js";

export const FIELD_TYPES = ["text", "long_text", "number", "rating", "boolean", "date", "duration", "single_select", "multiple_select",
  "url", "email", "phone_number", "link_row", "lookup", "rollup", "count", "formula", "autonumber", "uuid", "created_on", "last_modified",
  "created_by", "last_modified_by"];
export const COLORS = ["blue", "green", "orange", "red", "yellow", "purple", "light-blue", "light-green", "dark-orange"];
const ROLLUPS = ["sum", "avg", "min", "max", "count", "empty_count", "not_empty_count"];
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

  function drawOptions() {
    const tp = type.value;
    const f = field && field.type === tp ? field : {};
    optionsBox.replaceChildren();
    collect = () => ({});
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
      if (tp !== "count") {
        target = h("select", {});
        const loadTargets = async () => {
          const link = links.find((x) => x.id === Number(through.value));
          try {
            const remote = await api.fields(link.link_row_table_id);
            target.replaceChildren(...remote.map((x) => h("option", { value: x.id, selected: f.target_field_id === x.id }, x.name)));
          } catch (e) { error.textContent = errorMessage(e); }
        };
        through.addEventListener("change", loadTargets);
        loadTargets();
        optionsBox.append(row(t("opt.target"), target));
        if (tp === "rollup") {
          fn = h("select", {}, ROLLUPS.map((r) => h("option", { value: r, selected: f.rollup_function === r }, t(`rollup.${r}`))));
          optionsBox.append(row(t("opt.rollupFunction"), fn));
        }
      }
      collect = () => ({ through_field_id: Number(through.value), ...(target ? { target_field_id: Number(target.value) } : {}), ...(fn ? { rollup_function: fn.value } : {}) });
    } else if (tp === "formula") {
      const formula = h("textarea", { class: "formula-input", rows: 3, spellcheck: "false", "aria-describedby": "formula-help" });
      formula.value = f.formula || "";
      const help = h("p", { class: "hint", id: "formula-help" }, t("opt.formulaHelp"));
      const names = h("div", { class: "chips formula-fields" }, fields.map((x) => h("button", { type: "button", class: "chip", onclick: () => {
        const ins = `field('${x.name.replace(/'/g, "\\'")}')`;
        const s = formula.selectionStart;
        formula.setRangeText(ins, s, formula.selectionEnd, "end"); formula.focus();
      } }, x.name)));
      optionsBox.append(row(t("type.formula"), formula), help, h("div", { class: "form-field" }, h("span", { class: "label" }, t("opt.insertField")), names));
      collect = () => ({ formula: formula.value });
    }
  }
  type.addEventListener("change", drawOptions);
  drawOptions();

  function showFormulaError(answer) {
    const msg = answer.error || (answer.detail && (answer.detail.formula || answer.detail)) || "";
    const pos = answer.error_position ?? answer.position ?? (answer.detail && answer.detail.position);
    const text = typeof msg === "string" ? msg : JSON.stringify(msg);
    error.textContent = t("formula.error", { message: text });
    const input = optionsBox.querySelector(".formula-input");
    if (input && typeof pos === "number") { input.focus(); input.setSelectionRange(pos, Math.min(input.value.length, pos + 1)); }
  }

  async function save(close) {
    error.textContent = "";
    const spec = { name: name.value.trim(), type: type.value, description: description.value.trim() || null, ...collect() };
    if (!spec.name) { error.textContent = t("field.nameRequired"); name.focus(); return; }
    try {
      let saved;
      if (current) {
        if (current.type !== spec.type && !(SAFE[current.type] || []).includes(spec.type)) {
          const ok = await confirmDialog({ title: t("field.typeChange.title"), danger: true, confirm: t("field.typeChange.confirm"),
            message: t("field.typeChange.text", { name: current.name, from: t(`type.${current.type}`), to: t(`type.${spec.type}`) }) });
          if (!ok) return;
        }
        const patch = { ...spec };
        if (patch.description === null && !current.description) delete patch.description;
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
  name.focus();
  return dlg;
}
