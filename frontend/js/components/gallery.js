// Gallery view: one card per row with its first fields.
import { h } from "../dom.js";
import { t, errorMessage } from "../i18n.js";
import { cellType } from "../cells/all.js";
import { allRows, primaryOf } from "./viewRows.js";

export function galleryView({ tableId, view, fields, onOpenRow }) {
  const el = h("ul", { class: "gallery", "aria-label": view.name });
  async function load() {
    try {
      const rows = await allRows(tableId, view.id);
      const primary = primaryOf(fields);
      el.replaceChildren(...rows.map((row) => h("li", {},
        h("button", { type: "button", class: "card", onclick: () => onOpenRow(row.id) },
          h("strong", {}, String(cellType(primary).toText(row[`field_${primary.id}`], primary) || t("row.untitled", { id: row.id }))),
          fields.filter((f) => f !== primary).slice(0, 4).map((f) => {
            const shown = cellType(f).render(row[`field_${f.id}`], f);
            return shown === "" || shown === null ? null : h("div", { class: "card-field" }, h("span", { class: "muted" }, `${f.name} : `), shown);
          })))));
    } catch (e) { el.replaceChildren(h("li", { class: "form-error" }, errorMessage(e))); }
  }
  load();
  return { el, reload: load };
}
