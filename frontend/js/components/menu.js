// A popup menu (role="menu") anchored to an element or a point; arrows move, Enter picks, Escape closes.
import { h } from "../dom.js";

let openMenu = null;

export function closeMenu() { if (openMenu) { const m = openMenu; openMenu = null; m.close(); } }

export function showMenu({ anchor, x, y, items, label }) {
  closeMenu();
  const back = document.activeElement;
  const el = h("div", { class: "menu", role: "menu", "aria-label": label || "" });
  const buttons = [];
  for (const it of items) {
    if (it === "-") { el.append(h("div", { role: "separator", class: "sep" })); continue; }
    if (!it) continue;
    const b = h("button", { type: "button", role: "menuitem", tabindex: "-1", class: it.danger ? "danger" : "", disabled: it.disabled || null,
      onclick: () => { close(); it.run(); } }, it.label);
    buttons.push(b); el.append(b);
  }
  function close(restore = true) {
    el.remove();
    document.removeEventListener("mousedown", outside, true);
    if (openMenu && openMenu.el === el) openMenu = null;
    if (restore && back && back.isConnected) back.focus();
  }
  function outside(e) { if (!el.contains(e.target)) close(false); }
  el.addEventListener("keydown", (e) => {
    e.stopPropagation();
    const i = buttons.indexOf(document.activeElement);
    if (e.key === "ArrowDown") { buttons[(i + 1) % buttons.length].focus(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { buttons[(i - 1 + buttons.length) % buttons.length].focus(); e.preventDefault(); }
    else if (e.key === "Escape" || e.key === "Tab") { e.preventDefault(); close(); }
  });
  document.body.append(el);
  const r = anchor ? anchor.getBoundingClientRect() : { left: x, bottom: y, top: y };
  const w = el.offsetWidth, hh = el.offsetHeight;
  el.style.left = `${Math.max(4, Math.min(r.left, innerWidth - w - 4))}px`;
  el.style.top = `${r.bottom + hh > innerHeight ? Math.max(4, r.top - hh) : r.bottom}px`;
  setTimeout(() => document.addEventListener("mousedown", outside, true));
  openMenu = { el, close };
  buttons[0] && buttons[0].focus();
  return openMenu;
}
