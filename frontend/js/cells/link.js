import { h } from "../dom.js";
import { api } from "../api.js";
import { picker } from "../components/picker.js";
import { registerCell } from "./index.js";

// Link to another table: read as [{id, value}], written as a list of row ids.
registerCell("link_row", {
  render: (v) => h("span", { class: "chips" }, (v || []).map((x) => h("span", { class: "chip link" }, x.value || `#${x.id}`))),
  toText: (v) => (v || []).map((x) => x.value).join(", "),
  fromText: (s) => String(s).split(",").map((x) => x.trim()).filter(Boolean),
  toWrite: (v) => (v || []).map((x) => x.id),
  editor: ({ field, value, commit, cancel }) => {
    let primary = null;
    const load = async (q) => {
      const target = field.link_row_table_id;
      if (primary === null) {
        const fs = await api.fields(target);
        primary = fs.find((f) => f.primary) || fs[0];
      }
      const res = await api.rows(target, { size: 50, search: q || undefined, include: primary ? `field_${primary.id}` : undefined });
      return res.results.map((r) => ({ id: r.id, label: String((primary && cellLabel(r[`field_${primary.id}`])) || `#${r.id}`) }));
    };
    return picker({
      label: field.name, load, multiple: true,
      selected: (value || []).map((x) => ({ id: x.id, label: x.value || `#${x.id}` })),
      onDone: (items) => commit(items.map((i) => i.id), "down", items.map((i) => ({ id: i.id, value: i.label }))), onCancel: cancel,
      renderItem: (it) => h("span", { class: "chip link" }, it.label),
    });
  },
});

function cellLabel(v) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(cellLabel).join(", ");
  if (typeof v === "object") return v.value ?? v.name ?? "";
  return v;
}
