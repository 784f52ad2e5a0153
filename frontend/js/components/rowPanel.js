// A row expanded in a side panel: every field, editable in place, with previous/next.
import { h } from "../dom.js";
import { api } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { cellType, isReadOnly } from "../cells/all.js";

export function rowPanel({ tableId, rowId, fields, store, write, onNavigate, onClose }) {
  const title = h("h2", { id: "row-panel-title" });
  const list = h("dl", { class: "row-fields" });
  const prev = h("button", { type: "button", class: "quiet", onclick: () => step(-1) }, `‹ ${t("row.previous")}`);
  const next = h("button", { type: "button", class: "quiet", onclick: () => step(1) }, `${t("row.next")} ›`);
  const el = h("aside", { class: "row-panel", role: "dialog", "aria-labelledby": "row-panel-title" },
    h("header", {}, title, h("button", { type: "button", class: "icon", "aria-label": t("common.close"), onclick: () => onClose() }, "×")),
    h("div", { class: "row-nav" }, prev, next),
    list);
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !e.target.closest(".panel-editor")) { e.preventDefault(); onClose(); }
  });
  let row = null;

  function step(d) {
    const i = store.indexOf(rowId);
    const target = store.get(i + d);
    if (target) onNavigate(target.id);
  }

  function draw() {
    const primary = fields.find((f) => f.primary) || fields[0];
    title.textContent = row ? String(cellType(primary).toText(row[`field_${primary.id}`], primary) || t("row.untitled", { id: row.id })) : "";
    const i = store.indexOf(rowId);
    prev.disabled = !(i > 0);
    next.disabled = !(i >= 0 && store.get(i + 1));
    list.replaceChildren();
    if (!row) return;
    for (const f of fields) {
      const ct = cellType(f);
      const value = row[`field_${f.id}`];
      const shown = ct.render(value, f);
      const dd = h("dd", {});
      if (isReadOnly(f)) {
        dd.append(h("div", { class: "value readonly" }, shown));
      } else if (ct.toggle) {
        const box = h("input", { type: "checkbox", checked: Boolean(value), "aria-label": f.name, onchange: () => write(row, f, box.checked) });
        dd.append(box);
      } else {
        const btn = h("button", { type: "button", class: "value", "aria-label": `${f.name} : ${ct.toText(value, f) || t("row.empty")}` }, shown instanceof Node ? shown : shown || h("span", { class: "muted" }, t("row.empty")));
        btn.addEventListener("click", () => {
          const holder = h("div", { class: "panel-editor" });
          let closed = false;
          const close = () => { if (closed) return false; closed = true; holder.remove(); btn.hidden = false; btn.focus(); return true; };
          const editor = ct.editor({ field: f, value, ctx: { tableId },
            commit: (val, move, hint) => {
              if (closed) return;
              const changed = JSON.stringify(val) !== JSON.stringify(cellType(f).toWrite(value, f));
              close();
              if (changed) write(row, f, val, hint);
            },
            cancel: () => { close(); } });
          holder.append(editor);
          btn.hidden = true;
          dd.append(holder);
        });
        dd.append(btn);
      }
      list.append(h("dt", {}, f.name, f.description ? h("span", { class: "hint" }, f.description) : null), dd);
    }
  }

  async function load() {
    row = store.findById(rowId) || null;
    draw();
    if (!row) {
      try { row = await api.row(tableId, rowId); draw(); } catch (e) { list.replaceChildren(h("p", { class: "form-error" }, errorMessage(e))); }
    }
  }
  load();
  return {
    el,
    update() { const fresh = store.findById(rowId); if (fresh && !el.querySelector(".panel-editor")) { row = fresh; draw(); } },
    focus() { el.querySelector("header button").focus(); },
  };
}
