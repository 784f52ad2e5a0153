// A modal dialog built on <dialog>: focus is trapped by the browser, Escape closes it.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function openDialog({ title, body, actions = [], onClose, wide = false }) {
  const dlg = h("dialog", { class: `dialog${wide ? " wide" : ""}`, "aria-label": title });
  const close = (value) => { dlg.close(); dlg.remove(); onClose && onClose(value); };
  dlg.append(
    h("header", {}, h("h2", {}, title),
      h("button", { type: "button", class: "icon", "aria-label": t("common.close"), onclick: () => close(null) }, "×")),
    h("div", { class: "dialog-body" }, body),
    actions.length ? h("footer", {}, actions.map((a) =>
      h("button", { type: a.submit ? "submit" : "button", class: a.kind || "", onclick: () => a.run(close) }, a.label))) : null,
  );
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(null); });
  document.body.append(dlg);
  dlg.showModal();
  return { el: dlg, close };
}

export function confirmDialog({ title, message, confirm, danger = false }) {
  return new Promise((resolve) => {
    openDialog({
      title,
      body: h("p", {}, message),
      onClose: (v) => resolve(Boolean(v)),
      actions: [
        { label: t("common.cancel"), run: (close) => close(false) },
        { label: confirm, kind: danger ? "danger" : "primary", run: (close) => close(true) },
      ],
    });
  });
}

export function promptDialog({ title, label, value = "", confirm }) {
  return new Promise((resolve) => {
    const input = h("input", { type: "text", value, required: true, "aria-label": label });
    const form = h("form", { onsubmit: (e) => { e.preventDefault(); if (input.value.trim()) d.close(input.value.trim()); } },
      h("label", {}, label, input));
    const d = openDialog({
      title, body: form, onClose: (v) => resolve(v),
      actions: [
        { label: t("common.cancel"), run: (close) => close(null) },
        { label: confirm || t("common.ok"), kind: "primary", run: (close) => { if (input.value.trim()) close(input.value.trim()); } },
      ],
    });
    input.select();
  });
}
