// Light/dark theme: follows prefers-color-scheme unless the person picks one.
import { h } from "../dom.js";
import { t } from "../i18n.js";

const KEY = "nocodedb.theme";
export function applyTheme() {
  const saved = localStorage.getItem(KEY);
  if (saved) document.documentElement.dataset.theme = saved; else delete document.documentElement.dataset.theme;
}
export function themeToggle() {
  const dark = () => (document.documentElement.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light")) === "dark";
  const btn = h("button", { type: "button", class: "icon", "aria-pressed": String(dark()), "aria-label": t("theme.dark"), title: t("theme.dark"),
    onclick: () => { const next = dark() ? "light" : "dark"; localStorage.setItem(KEY, next); applyTheme(); btn.setAttribute("aria-pressed", String(dark())); } }, "◐");
  return btn;
}
