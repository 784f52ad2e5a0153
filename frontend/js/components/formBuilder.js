// Form view builder: title, description, which fields are asked and which are required, questions
// shown only when earlier answers match, and the public link to share (#/form/<slug>) — the page works
// on a phone.
import { h } from "../dom.js";
import { api, request } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { toast } from "./toast.js";
import { conditionEditor } from "./conditionEditor.js";
import { CONDITIONS_BY_TYPE } from "../formConditions.js";

export function formBuilder({ view, fields, onViewChanged }) {
  const el = h("div", { class: "form-builder" });
  let options = {};

  // Saves go one after another, in the order the person made them: a later answer never carries an
  // older state of the view (sharing right after typing the title must not lose the title).
  let queue = Promise.resolve();
  const inOrder = (work) => (queue = queue.then(work, work));

  function patchView(patch) {
    return inOrder(async () => {
      try { const v = await api.updateView(view.id, patch); Object.assign(view, v); onViewChanged(v); draw(); }
      catch (e) { toast(errorMessage(e), { kind: "error" }); }
    });
  }
  function patchField(id, change) {
    const before = { ...(options[id] || {}) };
    options[id] = { ...before, ...change };
    return inOrder(async () => {
      try { await request("PATCH", `/api/database/views/${view.id}/field-options/`, { field_options: { [id]: change } }); }
      catch (e) { options[id] = before; draw(); toast(errorMessage(e), { kind: "error" }); }
    });
  }

  // Made once: redrawing after a save must not replace a box the person is typing in.
  const title = h("input", { type: "text", value: view.title || "", "aria-label": t("form.title") });
  title.addEventListener("change", () => patchView({ title: title.value }));
  const description = h("textarea", { rows: 2, "aria-label": t("form.description") });
  description.value = view.description || "";
  description.addEventListener("change", () => patchView({ description: description.value }));

  // "Show this question only when ...": conditions on the questions asked before it.
  function conditionBox(f, earlier) {
    const o = options[f.id] || {};
    if (!earlier.length && !o.show_when_matching_conditions) return null; // the first question has nothing to depend on
    const toggle = h("input", { type: "checkbox", checked: Boolean(o.show_when_matching_conditions) });
    const box = h("div", { class: "form-condition" }, h("label", { class: "check-row" }, toggle, t("form.condition.toggle", { name: f.name })));
    const save = (tree) => patchField(f.id, { show_when_matching_conditions: toggle.checked, condition_type: tree.filter_type,
      conditions: tree.filters.map((c) => ({ field: c.field, type: c.type, value: c.value === undefined || c.value === null ? "" : String(c.value) })) });
    let editor = null;
    const drawEditor = () => {
      if (editor) editor.el.remove();
      editor = null;
      if (!toggle.checked) return;
      if (!earlier.length) { const hint = h("p", { class: "hint" }, t("form.condition.needEarlier")); box.append(hint); editor = { el: hint }; return; }
      const current = options[f.id] || {};
      let filters = (current.conditions || []).filter((c) => earlier.some((e) => e.id === c.field));
      // Turned on: start with one condition on the question just before, ready to be completed.
      if (!filters.length) filters = [{ field: earlier[earlier.length - 1].id, type: CONDITIONS_BY_TYPE[earlier[earlier.length - 1].type][0], value: "" }];
      editor = conditionEditor({ fields: earlier, tree: { filter_type: current.condition_type || "AND", filters },
        typesFor: (x) => CONDITIONS_BY_TYPE[x.type], onChange: save, fieldLabel: t("form.condition.field") });
      box.append(editor.el);
      return editor;
    };
    toggle.addEventListener("change", () => {
      const made = drawEditor();
      save(made && made.value ? made.value() : { filter_type: o.condition_type || "AND", filters: o.conditions || [] });
    });
    drawEditor();
    return box;
  }

  function draw() {
    const asked = fields.filter((f) => !f.read_only);
    const earlierOf = (index) => asked.slice(0, index).filter((e) => (options[e.id] || {}).enabled && CONDITIONS_BY_TYPE[e.type]);
    if (document.activeElement !== title) title.value = view.title || "";
    if (document.activeElement !== description) description.value = view.description || "";
    const link = view.public && view.slug ? `${location.origin}${location.pathname}#/form/${view.slug}` : null;
    el.replaceChildren(
      h("div", { class: "form-card" },
        h("label", { class: "form-field" }, h("span", { class: "label" }, t("form.title")), title),
        h("label", { class: "form-field" }, h("span", { class: "label" }, t("form.description")), description),
        h("h2", {}, t("form.questions")),
        h("ul", { class: "form-fields" }, asked.map((f, index) => {
          const o = options[f.id] || {};
          const enabled = h("input", { type: "checkbox", checked: Boolean(o.enabled) });
          const required = h("input", { type: "checkbox", checked: Boolean(o.required), disabled: !o.enabled });
          // Redrawn so the condition box appears and later questions can use this one.
          enabled.addEventListener("change", () => { required.disabled = !enabled.checked; patchField(f.id, { enabled: enabled.checked }); draw(); });
          required.addEventListener("change", () => patchField(f.id, { required: required.checked }));
          return h("li", {}, h("strong", {}, f.name),
            h("label", { class: "check-row" }, enabled, t("form.ask", { name: f.name })),
            h("label", { class: "check-row" }, required, t("form.required", { name: f.name })),
            o.enabled ? conditionBox(f, earlierOf(index)) : null);
        })),
        h("div", { class: "share" },
          view.public
            ? [h("p", {}, t("form.publicLink"), " ", h("a", { href: link, target: "_blank", rel: "noopener" }, link)),
              h("button", { type: "button", onclick: () => patchView({ public: false }) }, t("form.unshare"))]
            : h("button", { type: "button", class: "primary", onclick: () => patchView({ public: true }) }, t("form.share")))));
  }

  (async () => {
    try { options = (await request("GET", `/api/database/views/${view.id}/field-options/`)).field_options || {}; }
    catch (e) { toast(errorMessage(e), { kind: "error" }); }
    draw();
  })();
  draw();
  return { el, reload: () => {} };
}
