// All rows of a view (up to a limit), for the views that show every row at once (kanban, gallery,
// calendar). The grid uses rowstore.js instead (pages fetched as one scrolls).
import { api } from "../api.js";

export const VIEW_ROW_LIMIT = 2000;

export async function allRows(tableId, viewId, extra = {}) {
  const out = [];
  for (let page = 1; out.length < VIEW_ROW_LIMIT; page++) {
    const res = await api.rows(tableId, { view_id: viewId, size: 200, page, ...extra });
    out.push(...res.results);
    if (!res.next) break;
  }
  return out;
}

export const primaryOf = (fields) => fields.find((f) => f.primary) || fields[0];
