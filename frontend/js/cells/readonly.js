import { h } from "../dom.js";
import { formatNumber } from "../i18n.js";
import { registerCell } from "./index.js";
import { formatDate } from "./date.js";

const listText = (v) => (Array.isArray(v) ? v.map((x) => (x && typeof x === "object" ? x.value ?? x.name ?? "" : x)).join(", ") : v ?? "");

registerCell(["autonumber", "uuid"], { readOnly: true });
registerCell(["created_on", "last_modified"], {
  readOnly: true,
  render: (v) => formatDate(v, { date_include_time: true }),
  toText: (v) => formatDate(v, { date_include_time: true }),
});
registerCell(["created_by", "last_modified_by"], {
  readOnly: true,
  render: (v) => (v && typeof v === "object" ? v.name || "" : v ?? ""),
  toText: (v) => (v && typeof v === "object" ? v.name || "" : v ?? ""),
});
registerCell(["lookup"], {
  readOnly: true,
  render: (v) => h("span", { class: "chips" }, (Array.isArray(v) ? v : []).map((x) => h("span", { class: "chip" }, listText([x])))),
  toText: listText,
});
registerCell(["count", "rollup"], {
  readOnly: true,
  render: (v) => h("span", { class: "num" }, typeof v === "number" || /^-?\d/.test(String(v ?? "")) ? formatNumber(v, String(v).split(".")[1]?.length || 0) : v ?? ""),
});
registerCell(["formula"], {
  readOnly: true,
  render: (v, f) => {
    if (Array.isArray(v)) return listText(v);
    if (typeof v === "boolean") return v ? "✓" : "";
    if (f.formula_type === "number" && v !== null && v !== undefined) return h("span", { class: "num" }, formatNumber(v, f.number_decimal_places || 0));
    if (f.formula_type === "date" && v) return formatDate(v, f);
    return v ?? "";
  },
  toText: listText,
});
