// A flat list of conditions joined by AND or OR: form questions shown only when earlier answers match,
// and the linked rows a lookup or rollup counts. tree = {filter_type, filters: [{field, type, value}]}.
import { h } from "../dom.js";
import { t } from "../i18n.js";

const NO_VALUE = ["empty", "not_empty", "has_empty_value", "has_not_empty_value"];
const SELECT_VALUE = ["single_select_equal", "single_select_not_equal", "multiple_select_has", "multiple_select_has_not"];

export function conditionEditor({ fields, tree, typesFor, onChange, fieldLabel }) {
  const state = { filter_type: (tree && tree.filter_type) || "AND", filters: ((tree && tree.filters) || []).map((c) => ({ ...c })) };
  const el = h("div", { class: "condition-editor" });
  let timer = null;
  const emit = (now) => {
    clearTimeout(timer);
    const send = () => onChange({ filter_type: state.filter_type, filters: state.filters.map((c) => ({ ...c })) });
    if (now) send(); else timer = setTimeout(send, 400);
  };
  const typesOf = (f) => (f && typesFor(f)) || ["empty", "not_empty"];

  function conditionRow(cond, index) {
    const fieldSel = h("select", { "aria-label": fieldLabel || t("filter.field") },
      fields.map((f) => h("option", { value: f.id, selected: f.id === cond.field }, f.name)));
    const typeSel = h("select", { "aria-label": t("filter.operator") });
    const valueBox = h("span", { class: "condition-value" });
    const field = () => fields.find((f) => f.id === Number(fieldSel.value));
    function drawValue() {
      const f = field();
      valueBox.replaceChildren();
      if (NO_VALUE.includes(cond.type)) { cond.value = ""; return; }
      let input;
      if (f.type === "boolean" || cond.type === "boolean") {
        input = h("select", { "aria-label": t("filter.value") },
          h("option", { value: "1", selected: cond.value !== "0" }, t("cell.yes")), h("option", { value: "0", selected: cond.value === "0" }, t("cell.no")));
        cond.value = input.value;
      } else if (SELECT_VALUE.includes(cond.type)) {
        input = h("select", { "aria-label": t("filter.value") }, h("option", { value: "" }, "—"),
          (f.select_options || []).map((o) => h("option", { value: String(o.id), selected: String(o.id) === String(cond.value) }, o.value)));
      } else {
        input = h("input", { type: "text", value: cond.value || "", "aria-label": t("filter.value") });
        input.addEventListener("input", () => { cond.value = input.value; emit(false); });
      }
      input.addEventListener("change", () => { cond.value = input.value; emit(true); });
      valueBox.append(input);
    }
    function drawTypes() {
      const types = typesOf(field());
      if (!types.includes(cond.type)) cond.type = types[0];
      typeSel.replaceChildren(...types.map((tp) => h("option", { value: tp, selected: tp === cond.type }, t(`filter.${tp}`))));
      drawValue();
    }
    fieldSel.addEventListener("change", () => { cond.field = Number(fieldSel.value); cond.value = ""; drawTypes(); emit(true); });
    typeSel.addEventListener("change", () => { cond.type = typeSel.value; drawValue(); emit(true); });
    cond.field = Number(fieldSel.value);
    drawTypes();
    return h("li", { class: "condition-row" }, fieldSel, typeSel, valueBox,
      h("button", { type: "button", class: "icon", "aria-label": t("condition.remove"), onclick: () => { state.filters.splice(index, 1); draw(); emit(true); } }, "×"));
  }

  function draw() {
    const combine = h("select", { "aria-label": t("filter.combine") },
      ["AND", "OR"].map((v) => h("option", { value: v, selected: state.filter_type === v }, t(`condition.${v}`))));
    combine.addEventListener("change", () => { state.filter_type = combine.value; emit(true); });
    const add = h("button", { type: "button", class: "quiet", onclick: () => {
      const f = fields[0];
      state.filters.push({ field: f.id, type: typesOf(f)[0], value: "" });
      draw();
      emit(true);
      const firsts = el.querySelectorAll(".condition-row > select:first-child");
      if (firsts.length) firsts[firsts.length - 1].focus();
    } }, `+ ${t("condition.add")}`);
    // replaceChildren would write a null as the text "null".
    el.replaceChildren(...[
      state.filters.length > 1 ? h("label", { class: "condition-combine" }, t("condition.when"), " ", combine) : null,
      h("ul", { class: "condition-list" }, state.filters.map(conditionRow)),
      fields.length ? add : null].filter(Boolean));
  }
  draw();
  return { el, value: () => ({ filter_type: state.filter_type, filters: state.filters.map((c) => ({ ...c })) }) };
}
