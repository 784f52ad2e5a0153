import { h } from "../dom.js";
import { picker } from "../components/picker.js";
import { registerCell } from "./index.js";

export const chip = (o) => h("span", { class: `chip color-${o.color || "neutral"}` }, o.value);
const opts = (f) => (f.select_options || []).map((o) => ({ id: o.id, label: o.value, color: o.color }));
const findOpt = (f, text) => {
  const s = String(text).trim().toLowerCase();
  return (f.select_options || []).find((o) => o.value.toLowerCase() === s || String(o.id) === s);
};
const search = (f) => async (q) => opts(f).filter((o) => o.label.toLowerCase().includes(q.toLowerCase()));

registerCell("single_select", {
  render: (v) => (v ? chip(v) : ""),
  toText: (v) => (v ? v.value : ""),
  fromText: (s, f) => { if (!String(s).trim()) return null; const o = findOpt(f, s); return o ? o.id : String(s); },
  toWrite: (v) => (v ? v.id : null),
  editor: ({ field, value, commit, cancel }) => picker({
    label: field.name, load: search(field), selected: value ? [{ id: value.id, label: value.value, color: value.color }] : [],
    onDone: (items) => commit(items[0] ? items[0].id : null, "down", items[0] ? { id: items[0].id, value: items[0].label, color: items[0].color } : null), onCancel: cancel,
  }),
});

registerCell("multiple_select", {
  render: (v) => h("span", { class: "chips" }, (v || []).map(chip)),
  toText: (v) => (v || []).map((o) => o.value).join(", "),
  fromText: (s, f) => String(s).split(",").map((x) => x.trim()).filter(Boolean).map((x) => { const o = findOpt(f, x); return o ? o.id : x; }),
  toWrite: (v) => (v || []).map((o) => o.id),
  editor: ({ field, value, commit, cancel }) => picker({
    label: field.name, load: search(field), multiple: true,
    selected: (value || []).map((o) => ({ id: o.id, label: o.value, color: o.color })),
    onDone: (items) => commit(items.map((i) => i.id), "down", items.map((i) => ({ id: i.id, value: i.label, color: i.color }))), onCancel: cancel,
  }),
});
