// The public form page (#/form/<slug>) and the row edit link page (#/form/edit/<token>).
// Phone first: native inputs (date picker, numeric keypad), one column, large targets. Questions with
// conditions appear and disappear as the person answers the ones they depend on.
import { h, newId } from "../dom.js";
import { api, request } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { parseDecimal } from "../cells/number.js";
import { conditionsMet } from "../formConditions.js";

function inputFor(ft, value, required) {
  const name = `field_${ft.id}`;
  const id = newId("q");
  const base = { id, name, required: required || null };
  switch (ft.type) {
    case "boolean": return h("input", { ...base, type: "checkbox", checked: Boolean(value), required: null });
    case "long_text": { const el = h("textarea", { ...base, rows: 4 }); el.value = value || ""; return el; }
    case "number": case "rating": case "duration":
      return h("input", { ...base, type: "text", inputmode: "decimal", value: value === null || value === undefined ? "" : String(value).replace(".", ",") });
    case "date": return h("input", { ...base, type: "date", value: value ? String(value).slice(0, 10) : "" });
    case "single_select":
      return h("select", base, h("option", { value: "" }, "—"),
        (ft.select_options || []).map((o) => h("option", { value: o.id, selected: value && value.id === o.id }, o.value)));
    case "multiple_select": {
      const chosen = new Set((value || []).map((o) => o.id));
      return h("fieldset", { class: "choices", id, dataset: { name } }, (ft.select_options || []).map((o) =>
        h("label", { class: "check-row" }, h("input", { type: "checkbox", value: o.id, checked: chosen.has(o.id) }), " ", o.value)));
    }
    case "email": return h("input", { ...base, type: "email", autocomplete: "email", value: value || "" });
    case "url": return h("input", { ...base, type: "url", value: value || "" });
    case "phone_number": return h("input", { ...base, type: "tel", autocomplete: "tel", value: value || "" });
    default: return h("input", { ...base, type: "text", value: value || "" });
  }
}

function readInput(ft, el) {
  if (ft.type === "boolean") return el.checked;
  if (ft.type === "multiple_select") return [...el.querySelectorAll("input:checked")].map((c) => Number(c.value));
  if (ft.type === "single_select") return el.value ? Number(el.value) : null;
  if (["number", "rating", "duration"].includes(ft.type)) return el.value.trim() ? (ft.type === "rating" ? Number(el.value) : parseDecimal(el.value)) : null;
  if (ft.type === "date") return el.value || null;
  return el.value;
}

export function publicFormPage(parts) {
  const edit = parts[1] === "edit";
  const key = edit ? parts[2] : parts[1];
  const path = edit ? `/api/database/views/form/edit/${key}/` : null;
  const main = h("main", { class: "public-form", id: "main" }, h("p", { class: "muted" }, t("common.loading")));
  const load = edit ? request("GET", path) : api.publicForm(key);
  load.then((meta) => {
    const values = meta.values || {};
    const entries = (meta.fields || []).filter((e) => e.field && !e.field.read_only);
    const status = h("p", { role: "alert", class: "form-error" });
    const inputs = new Map();
    const blocks = new Map();
    const shown = new Set();
    const fieldOf = (id) => { const e = entries.find((x) => x.field.id === id); return e && e.field; };
    // In form order, so a question hidden by its own condition counts as unanswered for later ones.
    const refresh = () => {
      shown.clear();
      for (const entry of entries) {
        const id = entry.field.id;
        const visible = conditionsMet(entry, (fid) => (shown.has(fid) && inputs.has(fid) ? readInput(fieldOf(fid), inputs.get(fid)) : null), fieldOf);
        if (visible) shown.add(id);
        const block = blocks.get(id);
        if (block) block.hidden = !visible;
      }
    };
    const submit = h("button", { type: "submit", class: "primary" }, edit ? t("form.update") : (meta.submit_text && meta.submit_text !== "Submit" ? meta.submit_text : t("form.submit")));
    const form = h("form", { class: "form-card", novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      status.textContent = "";
      const body = {};
      refresh();
      for (const entry of entries) {
        const ft = entry.field;
        if (!shown.has(ft.id)) continue; // not shown: neither required nor sent
        const v = readInput(ft, inputs.get(ft.id));
        if (entry.required && (v === null || v === "" || (Array.isArray(v) && !v.length))) {
          status.textContent = t("form.missing", { name: entry.name });
          inputs.get(ft.id).focus();
          return;
        }
        body[`field_${ft.id}`] = v;
      }
      submit.disabled = true;
      try {
        const res = edit ? await request("POST", path, body) : await api.submitForm(key, body);
        if (!edit && res && res.submit_action === "REDIRECT" && res.submit_action_redirect_url) { location.href = res.submit_action_redirect_url; return; }
        main.replaceChildren(h("div", { class: "form-card", role: "status" },
          h("h1", {}, edit ? t("form.updated") : (res && res.submit_action_message) || t("form.thanks"))));
      } catch (err) { status.textContent = errorMessage(err); submit.disabled = false; }
    } },
    h("h1", {}, meta.title || (edit ? t("form.editTitle") : "")),
    meta.description ? h("p", { class: "intro" }, meta.description) : null,
    entries.map((entry) => {
      const ft = entry.field;
      const input = inputFor(ft, values[`field_${ft.id}`], entry.required);
      inputs.set(ft.id, input);
      const label = [entry.name, entry.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null];
      let block;
      if (ft.type === "multiple_select") {
        input.prepend(h("legend", { class: "label" }, label));
        block = h("div", { class: "form-field" }, input, entry.description ? h("span", { class: "hint" }, entry.description) : null);
      } else if (ft.type === "boolean") {
        block = h("label", { class: "check-row form-field" }, input, " ", label);
      } else {
        block = h("div", { class: "form-field" }, h("label", { class: "label", for: input.id }, label),
          entry.description ? h("span", { class: "hint" }, entry.description) : null, input);
      }
      blocks.set(ft.id, block);
      return block;
    }),
    status, submit);
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
    main.replaceChildren(form);
  }).catch((err) => main.replaceChildren(h("div", { class: "form-card" }, h("h1", {}, t(edit ? "form.linkInvalid" : "form.unavailable")), h("p", {}, errorMessage(err)))));
  return main;
}
