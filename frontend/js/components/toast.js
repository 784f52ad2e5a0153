// Short messages at the bottom of the screen, announced to screen readers; an optional action
// button (for example "Annuler").
import { h } from "../dom.js";

let region = null;

export function toastRegion() {
  region = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
  return region;
}

export function toast(message, { kind = "info", action, timeout = 5000 } = {}) {
  if (!region || !region.isConnected) return;
  const el = h("div", { class: `toast toast-${kind}` }, h("span", {}, message));
  if (kind === "error") el.setAttribute("role", "alert");
  if (action) {
    el.append(h("button", { class: "link", type: "button", onclick: () => { action.run(); el.remove(); } }, action.label));
  }
  el.append(h("button", { class: "icon", type: "button", "aria-label": "×", onclick: () => el.remove() }, "×"));
  region.append(el);
  setTimeout(() => el.remove(), kind === "error" ? timeout * 2 : timeout);
}
