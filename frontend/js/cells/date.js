import { h } from "../dom.js";
import { locale, t } from "../i18n.js";
import { registerCell } from "./index.js";

const pad = (n) => String(n).padStart(2, "0");

// API dates are ISO ("2024-05-01" or "2024-05-01T14:30:00Z"); people read dd/mm/yyyy and 24-hour time.
export function formatDate(v, f = {}) {
  if (!v) return "";
  const s = String(v);
  const withTime = f.date_include_time && s.length > 10;
  let d;
  if (withTime) { d = new Date(s); if (Number.isNaN(d.getTime())) return s; }
  else { const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s); if (!m) return s; d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])); }
  const day = pad(d.getDate()), mon = pad(d.getMonth() + 1), yr = d.getFullYear();
  let out = f.date_format === "US" ? `${mon}/${day}/${yr}` : f.date_format === "ISO" ? `${yr}-${mon}-${day}` : `${day}/${mon}/${yr}`;
  if (withTime) {
    if (f.date_time_format === "12") {
      const hr = d.getHours() % 12 || 12;
      out += ` ${hr}:${pad(d.getMinutes())} ${d.getHours() < 12 ? "AM" : "PM"}`;
    } else out += ` ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  return out;
}

// "15/03/2024", "15/3/24", "2024-03-15" and optional " 14:30" to an ISO value (null when empty,
// the raw text when not understood: the server then explains).
export function parseDate(text, f = {}) {
  const s = String(text).trim();
  if (!s) return null;
  let y, m, d, rest;
  let mt = /^(\d{4})-(\d{1,2})-(\d{1,2})(.*)$/.exec(s);
  if (mt) [, y, m, d, rest] = mt;
  else {
    mt = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(.*)$/.exec(s);
    if (!mt) return s;
    if (f.date_format === "US") [, m, d, y, rest] = mt; else [, d, m, y, rest] = mt;
    if (y.length === 2) y = `20${y}`;
  }
  const date = `${y}-${pad(m)}-${pad(d)}`;
  if (!f.date_include_time) return date;
  const tm = /(\d{1,2})[:h](\d{2})?/.exec(rest || "");
  const local = new Date(Number(y), Number(m) - 1, Number(d), tm ? Number(tm[1]) : 0, tm && tm[2] ? Number(tm[2]) : 0);
  return local.toISOString();
}

// A month calendar; weeks start on Monday; arrows move by day/week, PageUp/PageDown by month.
export function calendar({ value, onPick }) {
  const today = new Date();
  let sel = value ? new Date(value.length <= 10 ? `${value}T00:00:00` : value) : null;
  if (sel && Number.isNaN(sel.getTime())) sel = null;
  let focus = new Date(sel || today);
  const wrap = h("div", { class: "calendar", role: "dialog", "aria-label": t("date.pick") });
  const fmtMonth = new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric" });
  const fmtDay = new Intl.DateTimeFormat(locale(), { weekday: "short" });
  const fmtFull = new Intl.DateTimeFormat(locale(), { dateStyle: "full" });
  const same = (a, b) => a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  function draw(moveFocus) {
    const first = new Date(focus.getFullYear(), focus.getMonth(), 1);
    const offset = (first.getDay() + 6) % 7; // Monday = 0
    const start = new Date(first); start.setDate(1 - offset);
    const heads = Array.from({ length: 7 }, (_, i) => { const d = new Date(2024, 0, 1 + i); return h("th", { scope: "col", abbr: fmtDay.format(d) }, fmtDay.format(d).replace(".", "")); });
    const rows = [];
    for (let w = 0; w < 6; w++) {
      const cells = [];
      for (let i = 0; i < 7; i++) {
        const d = new Date(start); d.setDate(start.getDate() + w * 7 + i);
        const isFocus = same(d, focus);
        cells.push(h("td", {}, h("button", {
          type: "button", class: `day${d.getMonth() !== focus.getMonth() ? " other" : ""}${same(d, today) ? " today" : ""}${same(d, sel) ? " selected" : ""}`,
          tabindex: isFocus ? "0" : "-1", "aria-label": fmtFull.format(d), "aria-pressed": String(Boolean(same(d, sel))), dataset: { date: iso(d) },
          onmousedown: (e) => e.preventDefault(),
          onclick: () => onPick(iso(d)),
        }, String(d.getDate()))));
      }
      rows.push(h("tr", {}, cells));
    }
    wrap.replaceChildren(
      h("div", { class: "cal-head" },
        h("button", { type: "button", class: "icon", "aria-label": t("date.prev"), onmousedown: (e) => e.preventDefault(), onclick: () => { focus.setMonth(focus.getMonth() - 1); draw(); } }, "‹"),
        h("span", { class: "cal-title", "aria-live": "polite" }, fmtMonth.format(focus)),
        h("button", { type: "button", class: "icon", "aria-label": t("date.next"), onmousedown: (e) => e.preventDefault(), onclick: () => { focus.setMonth(focus.getMonth() + 1); draw(); } }, "›")),
      h("table", { role: "grid" }, h("thead", {}, h("tr", {}, heads)), h("tbody", {}, rows)),
      h("div", { class: "cal-foot" },
        h("button", { type: "button", class: "link", onmousedown: (e) => e.preventDefault(), onclick: () => onPick(iso(today)) }, t("date.today")),
        h("button", { type: "button", class: "link", onmousedown: (e) => e.preventDefault(), onclick: () => onPick(null) }, t("date.clear"))),
    );
    if (moveFocus) wrap.querySelector(`button[data-date="${iso(focus)}"]`)?.focus();
  }
  wrap.addEventListener("keydown", (e) => {
    if (!e.target.classList.contains("day")) return;
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 }[e.key];
    if (step) { focus.setDate(focus.getDate() + step); draw(true); e.preventDefault(); e.stopPropagation(); }
    else if (e.key === "PageUp" || e.key === "PageDown") { focus.setMonth(focus.getMonth() + (e.key === "PageUp" ? -1 : 1)); draw(true); e.preventDefault(); e.stopPropagation(); }
  });
  draw();
  return wrap;
}

registerCell("date", {
  render: (v, f) => formatDate(v, f),
  toText: (v, f) => formatDate(v, f),
  fromText: (s, f) => parseDate(s, f),
  editor: ({ field, value, text, commit, cancel }) => {
    const input = h("input", { class: "cell-input", type: "text", inputmode: "numeric", placeholder: t("date.placeholder"), "aria-label": field.name });
    input.value = text !== undefined ? text : formatDate(value, field);
    let done = false;
    const finish = (v, move) => { if (done) return; done = true; commit(v, move); };
    const cal = calendar({ value, onPick: (iso) => finish(iso && field.date_include_time ? parseDate(`${formatDate(iso, {})} ${input.value.split(" ")[1] || "00:00"}`, { ...field, date_format: "EU" }) : iso, "down") });
    input.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Escape") { e.preventDefault(); done = true; cancel(); }
      else if (e.key === "Enter") { e.preventDefault(); finish(parseDate(input.value, field), "down"); }
      else if (e.key === "Tab") { e.preventDefault(); finish(parseDate(input.value, field), e.shiftKey ? "left" : "right"); }
      else if (e.key === "ArrowDown" && e.altKey) { e.preventDefault(); cal.querySelector(".day[tabindex='0']")?.focus(); }
    });
    const wrap = h("div", { class: "date-editor" }, input, cal);
    wrap.addEventListener("focusout", (e) => { if (!wrap.contains(e.relatedTarget) && wrap.isConnected) finish(parseDate(input.value, field), null); });
    wrap.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); done = true; cancel(); } });
    queueMicrotask(() => { input.focus(); if (text === undefined) input.select(); });
    return wrap;
  },
});
