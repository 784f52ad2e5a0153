// Cell renderers and editors, a registry keyed by field type. Each entry may define:
//   render(value, field) -> Node|string     what the cell shows
//   toText(value, field) -> string          what copy puts on the clipboard
//   fromText(text, field) -> write value    what paste writes
//   toWrite(value, field) -> write value    a read value turned back into what the API accepts
//   editor(opts) -> HTMLElement             the in-place editor (opts: field, value, text, commit, cancel, ctx)
//   toggle(value) -> write value            for cells changed by Space/click (checkbox)
//   readOnly: true                          computed fields
const registry = new Map();

export function registerCell(types, spec) {
  for (const type of [].concat(types)) registry.set(type, { ...DEFAULT, ...spec, type });
}

const DEFAULT = {
  render: (v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)),
  toText: (v) => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)),
  fromText: (s) => s,
  toWrite: (v) => v,
  editor: null,
  readOnly: false,
};

export function cellType(field) {
  return registry.get(field.type) || { ...DEFAULT, readOnly: true, type: field.type };
}

export const isReadOnly = (field) => Boolean(field.read_only) || cellType(field).readOnly || !cellType(field).editor && !cellType(field).toggle;
