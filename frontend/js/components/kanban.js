// Kanban view: one column per option of a single select field; cards move by drag and drop or,
// with the keyboard, from the card's "Move to" menu.
import { h } from "../dom.js";
import { api } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { cellType } from "../cells/all.js";
import { record } from "../history.js";
import { toast } from "./toast.js";
import { showMenu } from "./menu.js";
import { allRows, primaryOf } from "./viewRows.js";

export function kanbanView({ tableId, view, fields, onOpenRow, onViewChanged }) {
  const el = h("div", { class: "kanban" });
  const selects = fields.filter((f) => f.type === "single_select");
  let field = fields.find((f) => f.id === view.single_select_field);
  let rows = [];

  async function chooseField(id) {
    try { const v = await api.updateView(view.id, { single_select_field: id }); Object.assign(view, v); onViewChanged(v); field = fields.find((f) => f.id === id); load(); }
    catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }

  function card(row) {
    const primary = primaryOf(fields);
    const others = fields.filter((f) => f !== primary && f !== field).slice(0, 3);
    const title = String(cellType(primary).toText(row[`field_${primary.id}`], primary) || t("row.untitled", { id: row.id }));
    const c = h("li", { class: "card", draggable: "true", tabindex: "0", "aria-label": title, dataset: { id: row.id } },
      h("strong", {}, title),
      others.map((f) => {
        const shown = cellType(f).render(row[`field_${f.id}`], f);
        return shown === "" || shown === null ? null : h("div", { class: "card-field" }, h("span", { class: "muted" }, `${f.name} : `), shown);
      }));
    c.addEventListener("dragstart", (e) => { e.dataTransfer.setData("text/x-row", String(row.id)); e.dataTransfer.effectAllowed = "move"; c.classList.add("dragging"); });
    c.addEventListener("dragend", () => c.classList.remove("dragging"));
    c.addEventListener("click", () => onOpenRow(row.id));
    c.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); onOpenRow(row.id); }
      else if (e.key === " " || e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) {
        e.preventDefault();
        showMenu({ anchor: c, label: t("kanban.moveTo"), items: [{ id: null, value: t("kanban.none") }, ...field.select_options].map((o) => ({
          label: t("kanban.moveToNamed", { name: o.value }), disabled: ((row[`field_${field.id}`] || {}).id ?? null) === o.id, run: () => move(row.id, o.id),
        })) });
      }
    });
    return c;
  }

  async function move(rowId, optionId) {
    const row = rows.find((r) => r.id === rowId);
    if (!row) return;
    const key = `field_${field.id}`;
    const before = row[key] ? row[key].id : null;
    if (before === optionId) return;
    const apply = async (value) => {
      row[key] = value === null ? null : field.select_options.find((o) => o.id === value) || null;
      draw();
      const saved = await api.updateRow(tableId, rowId, { [key]: value });
      Object.assign(row, saved);
      draw();
    };
    try {
      await apply(optionId);
      record({ label: t("kanban.moved"), undo: () => apply(before), redo: () => apply(optionId) });
    } catch (e) {
      row[key] = before === null ? null : field.select_options.find((o) => o.id === before) || null;
      draw();
      toast(errorMessage(e), { kind: "error" });
    }
  }

  function draw() {
    el.replaceChildren();
    if (!field) {
      if (!selects.length) { el.append(h("p", { class: "hint pad" }, t("kanban.needSelect"))); return; }
      const sel = h("select", { "aria-label": t("kanban.field") }, h("option", { value: "" }, "—"), selects.map((f) => h("option", { value: f.id }, f.name)));
      sel.addEventListener("change", () => sel.value && chooseField(Number(sel.value)));
      el.append(h("div", { class: "pad" }, h("label", {}, t("kanban.field"), " ", sel)));
      return;
    }
    const columns = [{ id: null, value: t("kanban.none"), color: "neutral" }, ...field.select_options];
    for (const o of columns) {
      const mine = rows.filter((r) => ((r[`field_${field.id}`] || {}).id ?? null) === o.id);
      const list = h("ul", { class: "cards", "aria-label": o.value });
      mine.forEach((r) => list.append(card(r)));
      const col = h("section", { class: "kanban-col", "aria-label": o.value, dataset: { option: o.id ?? "" } },
        h("h2", {}, h("span", { class: `chip color-${o.color || "neutral"}` }, o.value), h("span", { class: "muted count" }, String(mine.length))),
        list);
      col.addEventListener("dragover", (e) => { e.preventDefault(); col.classList.add("drop"); });
      col.addEventListener("dragleave", () => col.classList.remove("drop"));
      col.addEventListener("drop", (e) => { e.preventDefault(); col.classList.remove("drop"); const id = Number(e.dataTransfer.getData("text/x-row")); if (id) move(id, o.id); });
      el.append(col);
    }
  }

  async function load() {
    try { rows = await allRows(tableId, view.id); draw(); }
    catch (e) { el.replaceChildren(h("p", { class: "form-error pad" }, errorMessage(e))); }
  }
  draw();
  if (field) load();
  return { el, reload: load };
}
