import { h } from "../dom.js";
import { formatNumber, t } from "../i18n.js";
import { registerCell } from "./index.js";
import { inputEditor } from "./text.js";

// "3,5" and "1 234,5" as typed in French become "3.5" and "1234.5" for the API.
export function parseDecimal(s) {
  const str = String(s).trim().replace(/[\s\u00a0\u202f]/g, "");
  if (!str) return null;
  if (str.includes(",") && str.includes(".")) return str.replace(/\./g, "").replace(",", ".");
  return str.replace(",", ".");
}

registerCell("number", {
  render: (v, f) => h("span", { class: "num" }, formatNumber(v, f.number_decimal_places)),
  toText: (v, f) => formatNumber(v, f.number_decimal_places).replace(/[\u00a0\u202f]/g, ""),
  fromText: (s) => parseDecimal(s),
  editor: (o) => inputEditor({
    ...o, value: o.value === null || o.value === undefined ? "" : formatNumber(o.value, o.field.number_decimal_places).replace(/[\u00a0\u202f]/g, ""),
    parse: parseDecimal, type: "text",
  }),
});

registerCell("rating", {
  render: (v, f) => {
    const max = f.max_value || 5;
    return h("span", { class: "rating", "aria-label": t("cell.rating", { value: v || 0, max }) },
      Array.from({ length: max }, (_, i) => h("span", { class: i < (v || 0) ? "on" : "off", "aria-hidden": "true" }, "★")));
  },
  fromText: (s) => parseInt(s, 10) || 0,
  editor: ({ field, value, commit, cancel, text }) => {
    const max = field.max_value || 5;
    let cur = text !== undefined && /^\d$/.test(text) ? Math.min(max, Number(text)) : value || 0;
    const wrap = h("div", { class: "rating-editor", role: "radiogroup", tabindex: "0", "aria-label": field.name });
    const draw = () => {
      wrap.replaceChildren(...Array.from({ length: max }, (_, i) =>
        h("button", { type: "button", role: "radio", "aria-checked": String(i + 1 === cur), "aria-label": String(i + 1),
          class: i < cur ? "on" : "off", tabindex: "-1",
          onmousedown: (e) => { e.preventDefault(); cur = cur === i + 1 ? 0 : i + 1; commit(cur, null); } }, "★")));
    };
    wrap.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "ArrowRight" || e.key === "ArrowUp") { cur = Math.min(max, cur + 1); draw(); e.preventDefault(); }
      else if (e.key === "ArrowLeft" || e.key === "ArrowDown") { cur = Math.max(0, cur - 1); draw(); e.preventDefault(); }
      else if (/^\d$/.test(e.key)) { cur = Math.min(max, Number(e.key)); draw(); }
      else if (e.key === "Enter") { e.preventDefault(); commit(cur, "down"); }
      else if (e.key === "Tab") { e.preventDefault(); commit(cur, e.shiftKey ? "left" : "right"); }
      else if (e.key === "Escape") { e.preventDefault(); cancel(); }
    });
    wrap.addEventListener("blur", () => { if (wrap.isConnected) commit(cur, null); });
    draw();
    queueMicrotask(() => wrap.focus());
    return wrap;
  },
});

// Durations are seconds in the API; shown as h:mm.
export function formatDuration(v) {
  if (v === null || v === undefined || v === "") return "";
  const total = Math.round(Number(v));
  const sign = total < 0 ? "-" : "";
  const a = Math.abs(total);
  const hh = Math.floor(a / 3600), mm = Math.floor((a % 3600) / 60), ss = a % 60;
  return `${sign}${hh}:${String(mm).padStart(2, "0")}${ss ? `:${String(ss).padStart(2, "0")}` : ""}`;
}
function parseDuration(s) {
  const str = String(s).trim();
  if (!str) return null;
  const parts = str.split(":").map((p) => Number(p.replace(",", ".")));
  if (parts.some((p) => Number.isNaN(p))) return str; // let the server explain
  if (parts.length === 1) return parts[0] * 3600;
  const [hh, mm, ss = 0] = parts;
  return hh * 3600 + mm * 60 + ss;
}
registerCell("duration", {
  render: (v) => h("span", { class: "num" }, formatDuration(v)),
  toText: formatDuration,
  fromText: parseDuration,
  editor: (o) => inputEditor({ ...o, value: formatDuration(o.value), parse: parseDuration }),
});
