// Short messages at the bottom of the screen, announced to screen readers; an optional action
// button (for example "Annuler").
import { h } from "../dom.js";

let region = null;

export function toastRegion() {
  region = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
  return region;
}

// The same message while it is still on screen (several live changes in a row, say) shows once, for longer.
const showing = new Map();

export function toast(message, { kind = "info", action, timeout = 5000 } = {}) {
  if (!region || !region.isConnected) return;
  const key = `${kind}\u0000${message}`;
  const same = !action && showing.get(key);
  const wait = kind === "error" ? timeout * 2 : timeout;
  if (same && same.el.isConnected) {
    clearTimeout(same.timer);
    same.timer = setTimeout(() => { same.el.remove(); showing.delete(key); }, wait);
    return;
  }
  const el = h("div", { class: `toast toast-${kind}` }, h("span", {}, message));
  if (kind === "error") el.setAttribute("role", "alert");
  if (action) {
    el.append(h("button", { class: "link", type: "button", onclick: () => { action.run(); el.remove(); } }, action.label));
  }
  el.append(h("button", { class: "icon", type: "button", "aria-label": "×", onclick: () => el.remove() }, "×"));
  region.append(el);
  const entry = { el, timer: setTimeout(() => { el.remove(); showing.delete(key); }, wait) };
  if (!action) showing.set(key, entry);
}
