// Form view builder: title, description, which fields are asked and which are required, and the
// public link to share (#/form/<slug>) — the page works on a phone.
import { h } from "../dom.js";
import { api, request } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { toast } from "./toast.js";

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

  function draw() {
    if (document.activeElement !== title) title.value = view.title || "";
    if (document.activeElement !== description) description.value = view.description || "";
    const link = view.public && view.slug ? `${location.origin}${location.pathname}#/form/${view.slug}` : null;
    el.replaceChildren(
      h("div", { class: "form-card" },
        h("label", { class: "form-field" }, h("span", { class: "label" }, t("form.title")), title),
        h("label", { class: "form-field" }, h("span", { class: "label" }, t("form.description")), description),
        h("h2", {}, t("form.questions")),
        h("ul", { class: "form-fields" }, fields.filter((f) => !f.read_only).map((f) => {
          const o = options[f.id] || {};
          const enabled = h("input", { type: "checkbox", checked: Boolean(o.enabled) });
          const required = h("input", { type: "checkbox", checked: Boolean(o.required), disabled: !o.enabled });
          enabled.addEventListener("change", () => { required.disabled = !enabled.checked; patchField(f.id, { enabled: enabled.checked }); });
          required.addEventListener("change", () => patchField(f.id, { required: required.checked }));
          return h("li", {}, h("strong", {}, f.name),
            h("label", { class: "check-row" }, enabled, t("form.ask", { name: f.name })),
            h("label", { class: "check-row" }, required, t("form.required", { name: f.name })));
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
