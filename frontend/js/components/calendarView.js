// Calendar view: rows placed on the days of a date field; month or week; weeks start on Monday.
import { h } from "../dom.js";
import { api } from "../api.js";
import { t, locale, errorMessage } from "../i18n.js";
import { cellType } from "../cells/all.js";
import { toast } from "./toast.js";
import { allRows, primaryOf } from "./viewRows.js";

const pad = (n) => String(n).padStart(2, "0");
const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function calendarView({ tableId, view, fields, onOpenRow, onViewChanged }) {
  const el = h("div", { class: "calendar-view" });
  const dates = fields.filter((f) => f.type === "date" || f.type === "created_on" || f.type === "last_modified");
  let field = fields.find((f) => f.id === view.date_field);
  let rows = [];
  let mode = "month";
  let cursor = new Date();

  async function chooseField(id) {
    try { const v = await api.updateView(view.id, { date_field: id }); Object.assign(view, v); onViewChanged(v); field = fields.find((f) => f.id === id); load(); }
    catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }

  function draw() {
    el.replaceChildren();
    if (!field) {
      if (!dates.length) { el.append(h("p", { class: "hint pad" }, t("calendar.needDate"))); return; }
      const sel = h("select", { "aria-label": t("calendar.field") }, h("option", { value: "" }, "—"), dates.map((f) => h("option", { value: f.id }, f.name)));
      sel.addEventListener("change", () => sel.value && chooseField(Number(sel.value)));
      el.append(h("div", { class: "pad" }, h("label", {}, t("calendar.field"), " ", sel)));
      return;
    }
    const primary = primaryOf(fields);
    const byDay = new Map();
    for (const r of rows) {
      const v = r[`field_${field.id}`];
      if (!v) continue;
      const d = String(v).length > 10 ? iso(new Date(v)) : String(v).slice(0, 10);
      if (!byDay.has(d)) byDay.set(d, []);
      byDay.get(d).push(r);
    }
    let start;
    let days;
    if (mode === "month") {
      const first = new Date(cursor.getFullYear(), cursor.getMonth(), 1);
      start = new Date(first); start.setDate(1 - ((first.getDay() + 6) % 7));
      days = 42;
    } else {
      start = new Date(cursor); start.setDate(cursor.getDate() - ((cursor.getDay() + 6) % 7));
      days = 7;
    }
    const title = mode === "month"
      ? new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric" }).format(cursor)
      : t("calendar.weekOf", { date: new Intl.DateTimeFormat(locale(), { dateStyle: "long" }).format(start) });
    const step = (d) => { if (mode === "month") cursor = new Date(cursor.getFullYear(), cursor.getMonth() + d, 1); else cursor = new Date(cursor.getFullYear(), cursor.getMonth(), cursor.getDate() + 7 * d); draw(); };
    el.append(h("div", { class: "cal-bar" },
      h("button", { type: "button", class: "icon", "aria-label": mode === "month" ? t("date.prev") : t("calendar.prevWeek"), onclick: () => step(-1) }, "‹"),
      h("h2", { class: "cal-title", "aria-live": "polite" }, title),
      h("button", { type: "button", class: "icon", "aria-label": mode === "month" ? t("date.next") : t("calendar.nextWeek"), onclick: () => step(1) }, "›"),
      h("button", { type: "button", class: "quiet", onclick: () => { cursor = new Date(); draw(); } }, t("date.today")),
      h("span", { class: "spacer" }),
      h("div", { role: "group", "aria-label": t("calendar.mode") },
        h("button", { type: "button", "aria-pressed": String(mode === "month"), onclick: () => { mode = "month"; draw(); } }, t("calendar.month")),
        h("button", { type: "button", "aria-pressed": String(mode === "week"), onclick: () => { mode = "week"; draw(); } }, t("calendar.week")))));
    const fmtDay = new Intl.DateTimeFormat(locale(), { weekday: "long" });
    const fmtFull = new Intl.DateTimeFormat(locale(), { dateStyle: "full" });
    const grid = h("div", { class: `cal-grid ${mode}` },
      Array.from({ length: 7 }, (_, i) => h("div", { class: "cal-dow", "aria-hidden": "true" }, fmtDay.format(new Date(2024, 0, 1 + i)))));
    const today = iso(new Date());
    for (let i = 0; i < days; i++) {
      const d = new Date(start); d.setDate(start.getDate() + i);
      const key = iso(d);
      const items = byDay.get(key) || [];
      grid.append(h("section", { class: `cal-day${d.getMonth() !== cursor.getMonth() && mode === "month" ? " other" : ""}${key === today ? " today" : ""}`, "aria-label": fmtFull.format(d) },
        h("span", { class: "cal-num", "aria-hidden": "true" }, String(d.getDate())),
        h("ul", {}, items.map((r) => h("li", {}, h("button", { type: "button", class: "cal-item", onclick: () => onOpenRow(r.id) },
          String(cellType(primary).toText(r[`field_${primary.id}`], primary) || t("row.untitled", { id: r.id }))))))));
    }
    el.append(grid);
  }

  async function load() {
    try { rows = await allRows(tableId, view.id); draw(); }
    catch (e) { el.replaceChildren(h("p", { class: "form-error pad" }, errorMessage(e))); }
  }
  draw();
  if (field) load();
  return { el, reload: load };
}
