// All text comes from frontend/i18n/<lang>.js. The language follows the browser, can be switched,
// and is remembered. API errors ({"error","detail"}) become plain sentences here.
import fr from "../i18n/fr.js";
import en from "../i18n/en.js";

const DICTS = { fr, en };
const KEY = "nocodedb.lang";
let lang = pickLanguage();
const listeners = new Set();

function pickLanguage() {
  const saved = localStorage.getItem(KEY);
  if (saved && DICTS[saved]) return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "fr"];
  for (const l of langs) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (DICTS[base]) return base;
  }
  return "fr";
}

export const languages = () => Object.keys(DICTS);
export const currentLang = () => lang;
export const locale = () => (lang === "fr" ? "fr-FR" : "en-GB");

export function setLang(l) {
  if (!DICTS[l] || l === lang) return;
  lang = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
  listeners.forEach((f) => f(l));
}
export const onLangChange = (f) => { listeners.add(f); return () => listeners.delete(f); };

export function t(key, params) {
  let s = DICTS[lang][key];
  if (s === undefined) s = DICTS.fr[key];
  if (s === undefined) { console.warn("i18n: missing", key); return key; }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? params[k] : m));
  return s;
}

export const has = (key) => DICTS[lang][key] !== undefined;

// A plain-words message for an error thrown by api.js.
export function errorMessage(err) {
  const code = err && err.code;
  if (code && has(`error.${code}`)) return t(`error.${code}`);
  if (err && err.status === 0) return t("error.ERROR_NETWORK");
  if (err && err.status >= 500) return t("error.server");
  const detail = err && err.detail;
  if (detail && typeof detail === "object") {
    const found = firstMessage(detail);
    if (found) return t("error.invalid", { detail: found });
  }
  if (typeof detail === "string") return t("error.generic", { detail });
  return t("error.unknown");
}

function firstMessage(detail) {
  if (!detail || typeof detail !== "object") return typeof detail === "string" ? detail : null;
  if (Array.isArray(detail)) {
    for (const d of detail) { const m = d && (d.error || firstMessage(d)); if (m) return m; }
    return null;
  }
  for (const v of Object.values(detail)) { const m = firstMessage(v); if (m) return m; }
  return null;
}

// Numbers and dates in the person's language: decimal comma in French, dd/mm/yyyy.
export function formatNumber(value, decimals) {
  if (value === null || value === undefined || value === "") return "";
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  return n.toLocaleString(locale(), { minimumFractionDigits: decimals || 0, maximumFractionDigits: decimals || 0 });
}
