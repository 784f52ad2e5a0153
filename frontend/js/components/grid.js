// The grid: real HTML with role="grid", a roving focus on the active cell, only the rows in view in
// the page (pages fetched as one scrolls), in-place editors from the cell registry, spreadsheet
// keyboard, range selection, copy/paste as tab-separated text, undo/redo of one's own changes.
import { h, clear } from "../dom.js";
import { api, newActionGroup } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { cellType, isReadOnly } from "../cells/all.js";
import { rowStore } from "../rowstore.js";
import { record, undoAndTell, discard } from "../history.js";
import { toast } from "./toast.js";
import { showMenu } from "./menu.js";
import { parseDelimited } from "./shell.js";
import { plainLayout, groupLayout } from "./groups.js";
import { totalsRow } from "./totals.js";

export const ROW_HEIGHT = 36;
export const CARD_HEIGHT = 148;
const narrowQuery = matchMedia("(max-width: 720px)");
// On a narrow screen the rows are drawn as cards (taller, fields stacked).
export const rowHeight = () => (narrowQuery.matches ? CARD_HEIGHT : ROW_HEIGHT);
const GUTTER = 64;
const OVERSCAN = 8;
const key = (f) => `field_${f.id}`;

// The value the API accepts, from the value it gives.
export const writeOf = (field, value) => cellType(field).toWrite(value, field);
// The value to show at once, from a value about to be written.
export function readOf(field, write, hint) {
  if (hint !== undefined) return hint;
  if (field.type === "single_select") return (field.select_options || []).find((o) => o.id === write) || null;
  if (field.type === "multiple_select") return (write || []).map((id) => (field.select_options || []).find((o) => o.id === id)).filter(Boolean);
  if (field.type === "link_row") return (write || []).map((id) => ({ id, value: typeof id === "number" ? `#${id}` : id }));
  return write;
}

// viewId: the grid view (footer totals and group counts need one); groupBys: [{field, order}] of the view.
// sorted: [{field, desc}], the order the rows come in (the view's, applied by the server), for the headers.
export function grid({ tableId, fields, layout, query, onOpenRow, onFieldMenu, onAddField, onLayout, onCount, ids, viewId, groupBys = [], sorted = null }) {
  let cols = [];
  let anchor = { r: 0, c: 0 };
  let active = { r: 0, c: 0 };
  let editing = null;
  let dragging = false;
  let rafPending = false;
  const rowEls = new Map(); // display position -> element
  // Group-by: the levels (fields), the API's counts, and which line shows what (see groups.js).
  let levels = [];
  let meta = null;
  let lay = plainLayout(0);
  let layoutCount = -1;
  // Live changes: the row the selection was on, to find it again after rows moved; a refresh asked
  // for while the person types waits until they leave the cell.
  let keepId = null;
  let pendingResync = false;

  const gridEl = h("div", { class: "grid", role: "grid", "aria-multiselectable": "true", "aria-label": t("grid.label"), tabindex: "-1" });
  const head = h("div", { class: "grid-head", role: "rowgroup" });
  const body = h("div", { class: "grid-body", role: "rowgroup" });
  const addRowBtn = h("button", { type: "button", class: "add-row", onclick: () => addRow() }, `+ ${t("row.add")}`);
  gridEl.append(head, body);
  const totals = viewId ? totalsRow({ viewId, cols: () => cols, query: () => query }) : null;
  if (totals) gridEl.append(totals.el);
  const scroller = h("div", { class: "grid-scroll" }, gridEl, addRowBtn);
  const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });
  const el = h("div", { class: "grid-wrap" }, scroller, status);

  const store = rowStore(tableId, query, () => schedule(), (e) => toast(errorMessage(e), { kind: "error" }));

  // --- columns ---------------------------------------------------------------------------------
  function computeCols() {
    const primary = fields.find((f) => f.primary) || fields[0];
    const order = layout.order || [];
    const rest = fields.filter((f) => f !== primary && !(layout.hidden || []).includes(f.id));
    rest.sort((a, b) => {
      const ia = order.indexOf(a.id), ib = order.indexOf(b.id);
      return (ia < 0 ? 1e6 + a.order * 1000 + a.id : ia) - (ib < 0 ? 1e6 + b.order * 1000 + b.id : ib);
    });
    cols = primary ? [primary, ...rest] : rest;
    const widths = cols.map((f) => `${(layout.widths || {})[f.id] || (f.primary ? 220 : 180)}px`);
    gridEl.style.setProperty("--cols", `${GUTTER}px ${widths.join(" ")} 44px`);
    gridEl.style.setProperty("--primary-left", `${GUTTER}px`);
    gridEl.setAttribute("aria-colcount", String(cols.length + 1));
    active.c = Math.min(active.c, Math.max(0, cols.length - 1));
    drawHead();
    if (totals) totals.draw();
    levels = groupBys.map((g) => fields.find((f) => f.id === g.field)).filter(Boolean);
    layoutCount = -1;
    rowEls.clear();
    clear(body);
    schedule();
  }

  // --- group-by --------------------------------------------------------------------------------
  const collapsed = () => new Set(layout.collapsed || []);
  function rebuildLayout() {
    const count = store.count() || 0;
    layoutCount = count;
    lay = levels.length && meta ? groupLayout(count, levels, meta, collapsed()) : plainLayout(count);
  }
  let groupsGen = 0;
  async function loadGroups() {
    if (!levels.length || !viewId) { meta = null; return; }
    const gen = ++groupsGen;
    try {
      const res = await api.gridGroups(viewId, { filters: query.filters, search: query.search });
      if (gen !== groupsGen) return;
      meta = res.group_by_metadata || {};
    } catch (e) { if (gen === groupsGen) toast(errorMessage(e), { kind: "error" }); }
    layoutCount = -1;
    schedule();
  }
  function toggleGroup(key) {
    const set = collapsed();
    if (set.has(key)) set.delete(key); else set.add(key);
    layout.collapsed = [...set];
    onLayout(layout);
    layoutCount = -1;
    renderWindow();
    const again = body.querySelector(`.group-head[data-key="${CSS.escape(key)}"] button`);
    if (again) again.focus({ preventScroll: true });
  }

  function sortState(f) {
    if (sorted) { const first = sorted.find((x) => x.field === f.id); return first ? (first.desc ? "descending" : "ascending") : null; }
    const s = (query.order_by || "").split(",").find((x) => x.replace(/^-/, "") === key(f));
    return s ? (s.startsWith("-") ? "descending" : "ascending") : null;
  }

  function drawHead() {
    const row = h("div", { class: "grid-row head", role: "row", "aria-rowindex": "1" },
      h("div", { class: "gutter", role: "columnheader", "aria-colindex": "1" }, h("span", { class: "sr-only" }, t("grid.rowNumber")), "#"));
    cols.forEach((f, i) => {
      const btn = h("button", { type: "button", class: "col-btn", "aria-haspopup": "menu", title: f.description || f.name,
        onclick: (e) => onFieldMenu(f, e.currentTarget) },
      h("span", { class: `type-icon t-${f.type}`, "aria-hidden": "true" }, typeIcon(f.type)),
      h("span", { class: "col-name" }, f.name),
      f.description ? h("span", { class: "sr-only" }, `. ${f.description}`) : null);
      const handle = h("span", { class: "resize", "aria-hidden": "true", onmousedown: (e) => startResize(e, f) });
      const cell = h("div", { class: `col${f.primary ? " frozen" : ""}`, role: "columnheader", "aria-colindex": String(i + 2), "aria-sort": sortState(f) || null,
        draggable: f.primary ? null : "true", dataset: { field: f.id } }, btn, handle);
      if (!f.primary) {
        cell.addEventListener("dragstart", (e) => { e.dataTransfer.setData("text/x-field", String(f.id)); e.dataTransfer.effectAllowed = "move"; });
        cell.addEventListener("dragover", (e) => { e.preventDefault(); cell.classList.add("drop"); });
        cell.addEventListener("dragleave", () => cell.classList.remove("drop"));
        cell.addEventListener("drop", (e) => { e.preventDefault(); cell.classList.remove("drop"); const id = Number(e.dataTransfer.getData("text/x-field")); if (id && id !== f.id) moveColumn(id, f.id); });
      }
      row.append(cell);
    });
    row.append(h("div", { class: "col add", role: "columnheader", "aria-colindex": String(cols.length + 2) },
      h("button", { type: "button", class: "icon", "aria-label": t("field.add"), title: t("field.add"), onclick: (e) => onAddField(e.currentTarget) }, "+")));
    clear(head).append(row);
  }

  function startResize(e, f) {
    e.preventDefault(); e.stopPropagation();
    const startX = e.clientX;
    const start = (layout.widths || {})[f.id] || (f.primary ? 220 : 180);
    const move = (ev) => {
      layout.widths = { ...(layout.widths || {}), [f.id]: Math.max(60, Math.round(start + ev.clientX - startX)) };
      gridEl.style.setProperty("--cols", `${GUTTER}px ${cols.map((c) => `${layout.widths[c.id] || (c.primary ? 220 : 180)}px`).join(" ")} 44px`);
    };
    const up = () => { document.removeEventListener("mousemove", move); document.removeEventListener("mouseup", up); onLayout(layout); };
    document.addEventListener("mousemove", move);
    document.addEventListener("mouseup", up);
  }

  function moveColumn(id, beforeId) {
    const ids = cols.filter((c) => !c.primary).map((c) => c.id).filter((x) => x !== id);
    const at = ids.indexOf(beforeId);
    ids.splice(at < 0 ? ids.length : at, 0, id);
    layout.order = ids;
    onLayout(layout);
    computeCols();
  }

  // --- rows ------------------------------------------------------------------------------------
  function schedule() {
    if (rafPending) return;
    rafPending = true;
    requestAnimationFrame(() => { rafPending = false; renderWindow(); });
  }

  function windowRange() {
    const top = scroller.scrollTop;
    const height = scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowHeight()) - OVERSCAN);
    const last = Math.floor((top + height) / rowHeight()) + OVERSCAN;
    return [first, last];
  }

  function renderWindow() {
    const count = store.count();
    if (count === null) { store.ensure(0, 0); return; }
    onCount && onCount(count);
    if (count !== layoutCount) rebuildLayout();
    followKept();
    const size = lay.size;
    gridEl.setAttribute("aria-rowcount", String(size + 1));
    body.style.height = `${size * rowHeight()}px`;
    const [first, lastRaw] = windowRange();
    const last = Math.min(size - 1, lastRaw);
    // Fetch the rows of the lines in view: with collapsed groups they may be far apart.
    let runFrom = null, runTo = null;
    for (let p = first; p <= last + 1; p++) {
      const it = p <= last ? lay.itemAt(p) : null;
      if (it && it.kind === "row" && runTo !== null && it.r === runTo + 1) { runTo = it.r; continue; }
      if (runFrom !== null) store.ensure(runFrom, runTo);
      runFrom = it && it.kind === "row" ? it.r : null;
      runTo = runFrom;
    }
    const keep = new Set();
    const hadFocus = gridEl.contains(document.activeElement) && !editing && !(document.activeElement.closest && document.activeElement.closest(".group-head"));
    for (let p = first; p <= last; p++) {
      const it = lay.itemAt(p);
      const row = it.kind === "row" ? store.get(it.r) : null;
      const sig = it.kind === "header" ? `h:${it.key}:${it.count}:${it.collapsed}` : `${it.r}:${row ? `${row.id}:${row.__v || 0}` : "loading"}`;
      let rel = rowEls.get(p);
      if (!rel || rel.dataset.sig !== sig) {
        const fresh = it.kind === "header" ? drawHeader(p, it) : drawRow(p, it.r, row);
        fresh.dataset.sig = sig;
        if (rel) { if (rel.contains(document.activeElement)) gridEl.focus({ preventScroll: true }); rel.replaceWith(fresh); } else body.append(fresh);
        rel = fresh;
        rowEls.set(p, rel);
      }
      keep.add(p);
    }
    for (const [i, rel] of rowEls) if (!keep.has(i)) { if (rel.contains(document.activeElement)) gridEl.focus({ preventScroll: true }); rel.remove(); rowEls.delete(i); }
    paint();
    // A redrawn row must not take the keyboard focus away.
    if (hadFocus && !editing && (!gridEl.contains(document.activeElement) || document.activeElement === gridEl)) focusActive();
  }

  // The selection follows its row when live changes moved it (rows added or removed above).
  function followKept() {
    if (keepId === null) return;
    const i = store.indexOf(keepId);
    if (i >= 0 && store.fresh(i)) {
      const d = i - active.r;
      active = { r: i, c: active.c };
      anchor = { r: anchor.r + d, c: anchor.c };
      keepId = null;
    } else if (store.fresh(active.r)) keepId = null; // its row is no longer among the rows loaded
  }

  function drawHeader(p, it) {
    const f = it.field;
    const empty = it.value === null || it.value === undefined || it.value === "" || (Array.isArray(it.value) && !it.value.length);
    let shown;
    if (it.rest) shown = t("groups.others");
    else if (empty) shown = t("groups.empty");
    else shown = cellType(f).render(it.value, f);
    const text = it.rest ? t("groups.others") : empty ? t("groups.empty") : String(cellType(f).toText ? cellType(f).toText(it.value, f) ?? "" : it.value);
    const label = t(it.collapsed ? "groups.expand" : "groups.collapse", { field: f.name, value: text, count: it.count });
    return h("div", { class: `grid-row group-head level-${it.level}`, role: "row", "aria-rowindex": String(p + 2), style: { top: `${p * rowHeight()}px` }, dataset: { key: it.key } },
      h("div", { class: "group-cell", role: "rowheader", "aria-colindex": "1" },
        h("button", { type: "button", class: "group-toggle", "aria-expanded": String(!it.collapsed), "aria-label": label, title: label, style: { marginLeft: `${it.level * 1.2}rem` },
          onclick: () => toggleGroup(it.key) },
        h("span", { class: "chevron", "aria-hidden": "true" }, it.collapsed ? "▸" : "▾"),
        h("span", { class: "group-field" }, f.name),
        h("span", { class: "group-value" }, shown),
        h("span", { class: "group-count" }, t("groups.count", { count: it.count.toLocaleString() })))));
  }

  function drawRow(p, i, row) {
    const rel = h("div", { class: `grid-row${row ? "" : " loading"}`, role: "row", "aria-rowindex": String(p + 2), style: { top: `${p * rowHeight()}px` }, dataset: { r: i } });
    rel.append(h("div", { class: "gutter", role: "rowheader", "aria-colindex": "1", dataset: { r: i, c: -1 } },
      h("span", { class: "num" }, String(i + 1)),
      row ? h("button", { type: "button", class: "icon small expand", tabindex: "-1", "aria-label": t("row.expandNumber", { n: i + 1 }), title: t("row.expand"),
        onclick: (e) => { e.stopPropagation(); onOpenRow(row.id); } }, "⤢") : null));
    cols.forEach((f, c) => {
      const cell = h("div", { class: `cell t-${f.type}${f.primary ? " frozen" : ""}`, role: "gridcell", "aria-colindex": String(c + 2), tabindex: "-1", dataset: { r: i, c, label: f.name },
        "aria-readonly": isReadOnly(f) ? "true" : null });
      if (row) {
        const shown = cellType(f).render(row[key(f)], f);
        if (shown instanceof Node) cell.append(shown); else cell.textContent = shown;
        if (query.search) highlight(cell, query.search);
      }
      rel.append(cell);
    });
    rel.append(h("div", { class: "cell filler", role: "presentation" }));
    return rel;
  }

  // Selection classes and the roving tabindex on what is drawn.
  function paint() {
    const r0 = Math.min(anchor.r, active.r), r1 = Math.max(anchor.r, active.r);
    const c0 = Math.min(anchor.c, active.c), c1 = Math.max(anchor.c, active.c);
    const multi = r0 !== r1 || c0 !== c1;
    for (const rel of rowEls.values()) {
      const i = Number(rel.dataset.r);
      for (const cell of rel.querySelectorAll(".cell[data-c]")) {
        const c = Number(cell.dataset.c);
        const inRange = i >= r0 && i <= r1 && c >= c0 && c <= c1;
        const isActive = i === active.r && c === active.c;
        cell.classList.toggle("in-range", multi && inRange);
        cell.classList.toggle("active", isActive);
        cell.setAttribute("aria-selected", String(inRange));
        cell.tabIndex = isActive ? 0 : -1;
      }
    }
  }

  function cellEl(r, c) {
    const rel = rowEls.get(lay.posOf(r));
    return rel && rel.dataset.r === String(r) ? rel.querySelector(`.cell[data-c="${c}"]`) : null;
  }

  function focusActive() {
    const cell = cellEl(active.r, active.c);
    if (cell) cell.focus({ preventScroll: true }); else gridEl.focus({ preventScroll: true });
  }

  function scrollIntoView(r, c) {
    const p = lay.posOf(r);
    const top = Math.max(0, p) * rowHeight(), headH = head.offsetHeight || rowHeight();
    const footH = totals ? totals.el.offsetHeight : 0;
    if (p < 0) { /* in a collapsed group: nothing to scroll to */ }
    else if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight() > scroller.scrollTop + scroller.clientHeight - headH - footH) scroller.scrollTop = top + rowHeight() - scroller.clientHeight + headH + footH;
    const cell = cellEl(r, c);
    if (cell && !cols[c].primary) {
      const frozenW = GUTTER + ((layout.widths || {})[cols[0].id] || 220);
      const left = cell.offsetLeft, right = left + cell.offsetWidth;
      if (left - frozenW < scroller.scrollLeft) scroller.scrollLeft = left - frozenW;
      else if (right > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = right - scroller.clientWidth;
    }
  }

  function setActive(r, c, extend = false) {
    const count = store.count() || 0;
    r = Math.max(0, Math.min(count - 1, r));
    if (lay.posOf(r) < 0) r = lay.step(r, 0);
    c = Math.max(0, Math.min(cols.length - 1, c));
    active = { r, c };
    if (!extend) anchor = { r, c };
    scrollIntoView(r, c);
    renderWindow();
    focusActive();
  }

  // --- editing ---------------------------------------------------------------------------------
  function startEdit(text) {
    const f = cols[active.c];
    const row = store.get(active.r);
    if (!f || !row) return;
    const ct = cellType(f);
    if (isReadOnly(f)) { toast(t("cell.readOnly", { name: f.name })); return; }
    if (ct.toggle) { writeCells([{ row, field: f, next: ct.toggle(row[key(f)]) }], t("undo.edit")); return; }
    const cell = cellEl(active.r, active.c);
    if (!cell) return;
    const at = { r: active.r, c: active.c };
    // What the cell held when editing began: leaving it unchanged writes nothing, so a value another
    // person saved meanwhile is kept.
    const started = JSON.stringify(writeOf(f, row[key(f)]));
    const box = h("div", { class: `editor-box t-${f.type}`, style: {
      top: `${lay.posOf(at.r) * rowHeight()}px`, left: `${cell.offsetLeft}px`, minWidth: `${cell.offsetWidth}px`, minHeight: `${rowHeight()}px` } });
    const finish = (move) => {
      if (!editing || editing.box !== box) return;
      editing = null;
      box.remove();
      if (pendingResync) { pendingResync = false; resync(); }
      if (move === "down") setActive(at.r + 1, at.c);
      else if (move === "right") setActive(at.r, at.c + 1);
      else if (move === "left") setActive(at.r, at.c - 1);
      else if (move !== "none") focusActive();
    };
    const editor = ct.editor({
      field: f, value: row[key(f)], text, ctx: { tableId },
      commit: (next, move, hint) => {
        if (!editing || editing.box !== box) return;
        const current = store.findById(row.id) || row;
        if (JSON.stringify(next) !== started && JSON.stringify(next) !== JSON.stringify(writeOf(f, current[key(f)]))) writeCells([{ row: current, field: f, next, hint }], t("undo.edit"));
        finish(move === null ? "stay" : move);
      },
      cancel: () => finish("stay"),
    });
    box.append(editor);
    editing = { box, at };
    body.append(box);
  }

  // changes: [{row, field, next (write value), hint (read value)}]. Optimistic, rolled back on refusal.
  // group: the user action these requests belong to (server-side undo), when it takes several requests.
  async function writeCells(changes, label, { silent = false, group = null } = {}) {
    const items = new Map();
    const before = new Map();
    for (const ch of changes) {
      if (isReadOnly(ch.field)) continue;
      const id = ch.row.id;
      if (!items.has(id)) { items.set(id, { id }); before.set(id, { id }); }
      items.get(id)[key(ch.field)] = ch.next;
      before.get(id)[key(ch.field)] = writeOf(ch.field, ch.row[key(ch.field)]);
      const local = {};
      local[key(ch.field)] = readOf(ch.field, ch.next, ch.hint);
      store.patchLocal(id, { ...local, __v: (ch.row.__v || 0) + 1 });
    }
    if (!items.size) return;
    const forward = [...items.values()];
    const backward = [...before.values()];
    // Recorded at once so that Ctrl+Z right after an edit undoes that edit (it waits for the answer);
    // the server keeps what undo needs (history.js).
    const pending = send(forward, backward, false, group || (forward.length > 200 ? newActionGroup() : null));
    const action = { label, pending };
    if (!silent) record(action);
    const ok = await pending;
    if (!ok && !silent) discard(action);
    return ok;
  }

  async function send(list, rollback, throwOnError = false, group = null) {
    try {
      const results = [];
      for (let i = 0; i < list.length; i += 200) {
        const chunk = list.slice(i, i + 200);
        if (chunk.length === 1) results.push(await api.updateRow(tableId, chunk[0].id, chunk[0], group));
        else results.push(...(await api.updateRows(tableId, chunk, group)).items);
      }
      // Merge only what was sent (and computed fields): a slower answer must not undo a newer edit.
      const sent = new Map(list.map((item) => [item.id, new Set(Object.keys(item))]));
      const computed = fields.filter((f) => isReadOnly(f)).map(key);
      for (const r of results) {
        const cur = store.findById(r.id);
        if (!cur) continue;
        const keys = [...(sent.get(r.id) || []), ...computed].filter((k) => k !== "id" && k in r);
        const merged = { ...cur, __v: (cur.__v || 0) + 1 };
        for (const k of keys) merged[k] = r[k];
        store.replace(merged);
      }
      afterWrite(list);
      return true;
    } catch (e) {
      if (rollback) for (const b of rollback) { const cur = store.findById(b.id); if (cur) store.replace({ ...cur, ...readBack(b), __v: (cur.__v || 0) + 1 }); }
      toast(errorMessage(e), { kind: "error" });
      if (throwOnError) throw e;
      return false;
    }
  }
  // Totals follow every write; a row whose group-by value changed moves to its group.
  function afterWrite(items) {
    if (totals) totals.refresh();
    const touched = new Set(items.flatMap((item) => Object.keys(item)));
    if (levels.some((f) => touched.has(key(f)))) resync();
  }

  // After an undo or redo that adds or removes rows: totals, and groups placed again.
  function rowsMoved() {
    if (levels.length) resync(); else if (totals) totals.refresh();
  }

  // Rows moved (added or removed here or by others, or their group changed): fetch the groups and the
  // rows in view again, keeping the selection on its row. Waits while a cell is being edited.
  async function resync() {
    if (editing) { pendingResync = true; return; }
    const at = store.get(active.r);
    keepId = at ? at.id : keepId;
    await loadGroups();
    store.stale();
    if (totals) totals.refresh();
  }

  // Others changed these rows: fetch the ones loaded here (the cell being typed in keeps its editor).
  async function liveUpdated(rowIds, fieldIds) {
    if (totals) totals.refresh();
    if (!fieldIds || levels.some((f) => fieldIds.includes(f.id))) { resync(); return; }
    const loaded = rowIds.filter((id) => store.indexOf(id) >= 0);
    if (!loaded.length) return;
    if (loaded.length > 50) { store.stale(); return; }
    const fresh = await Promise.all(loaded.map((id) => api.row(tableId, id).catch(() => null)));
    for (const r of fresh) {
      const cur = r && store.findById(r.id);
      if (cur) store.replace({ ...r, __v: (cur.__v || 0) + 1 });
    }
  }

  // A write-form item back to read form (for a rollback display).
  function readBack(item) {
    const out = {};
    for (const f of fields) if (key(f) in item) out[key(f)] = readOf(f, item[key(f)]);
    return out;
  }

  // --- rows: add, delete -----------------------------------------------------------------------


  async function addRow(values = {}) {
    try {
      const row = await api.createRow(tableId, values);
      const at = store.count() || 0;
      // In groups the row is placed by the refetch below (its group, not the end).
      if (!levels.length) store.insertAt(at, row);
      if (totals) totals.refresh();

      record({ label: t("undo.addRow") });
      status.textContent = t("row.added");
      // In groups the new row belongs to the group of its (empty) values, not at the end.
      if (levels.length) { keepId = row.id; active = { r: at, c: 0 }; anchor = { ...active }; await loadGroups(); store.stale(); }
      else setActive(at, 0);
      return row;
    } catch (e) { toast(errorMessage(e), { kind: "error" }); return null; }
  }

  async function deleteRows(rowIds) {
    const removed = store.removeIds(rowIds);
    if (!removed.length) return;
    try {
      if (rowIds.length === 1) await api.deleteRow(tableId, rowIds[0]); else await api.deleteRows(tableId, rowIds);
    } catch (e) {
      for (const { index, row } of removed) store.insertAt(index, row);
      toast(errorMessage(e), { kind: "error" });
      return;
    }
    if (levels.length) resync(); else store.stale();
    if (totals) totals.refresh();
    // Undo restores them from the trash on the server, with their ids, values and links (history.js).
    record({ label: t("undo.deleteRows", { count: removed.length }) });
    toast(t("row.deleted", { count: removed.length }), { action: { label: t("undo.action"), run: () => undoAndTell("undo") } });
    setActive(Math.min(active.r, (store.count() || 1) - 1), active.c);
  }

  async function insertRowAt(index) {
    const next = store.get(index);
    try {
      const row = await api.createRow(tableId, {}, next ? next.id : undefined);
      store.insertAt(index, row);
      if (totals) totals.refresh();
      if (levels.length) { keepId = row.id; resync(); }
      record({ label: t("undo.addRow") });
      setActive(index, active.c);
    } catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }

  function selectedRowIds() {
    const r0 = Math.min(anchor.r, active.r), r1 = Math.max(anchor.r, active.r);
    const out = [];
    for (let i = r0; i <= r1; i++) { const row = store.get(i); if (row) out.push(row.id); }
    return out;
  }

  function rowMenu(x, y) {
    const rowsSel = selectedRowIds();
    const row = store.get(active.r);
    if (!row) return;
    showMenu({ x, y, label: t("row.menu"), items: [
      { label: t("row.expand"), run: () => onOpenRow(row.id) },
      { label: t("row.insertAbove"), run: () => insertRowAt(active.r) },
      { label: t("row.insertBelow"), run: () => insertRowAt(active.r + 1) },
      "-",
      { label: rowsSel.length > 1 ? t("row.deleteMany", { count: rowsSel.length }) : t("row.delete"), danger: true, run: () => deleteRows(rowsSel) },
    ] });
  }

  // --- clipboard -------------------------------------------------------------------------------
  function selectionTSV() {
    const r0 = Math.min(anchor.r, active.r), r1 = Math.max(anchor.r, active.r);
    const c0 = Math.min(anchor.c, active.c), c1 = Math.max(anchor.c, active.c);
    const lines = [];
    for (let r = r0; r <= r1; r++) {
      const row = store.get(r);
      const cells = [];
      for (let c = c0; c <= c1; c++) {
        const f = cols[c];
        let s = row ? String(cellType(f).toText(row[key(f)], f) ?? "") : "";
        if (/[\t\n"]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
        cells.push(s);
      }
      lines.push(cells.join("\t"));
    }
    return lines.join("\n");
  }

  async function pasteText(text) {
    if (text === undefined || text === null) return;
    let block = parseDelimited(text.replace(/\r?\n$/, ""), "\t");
    if (!block.length) block = [[""]];
    const r0 = Math.min(anchor.r, active.r), r1 = Math.max(anchor.r, active.r);
    const c0 = Math.min(anchor.c, active.c), c1 = Math.max(anchor.c, active.c);
    const single = block.length === 1 && block[0].length === 1;
    const height = single ? r1 - r0 + 1 : block.length;
    const width = single ? c1 - c0 + 1 : Math.min(block[0].length, cols.length - c0);
    const count = store.count() || 0;
    const missing = r0 + height - count;
    // Rows added for the paste and the cells written: one action for undo.
    const group = newActionGroup();
    if (missing > 0) {
      try {
        for (let i = 0; i < missing; i += 200) {
          const made = await api.createRows(tableId, Array.from({ length: Math.min(200, missing - i) }, () => ({})), group);
          made.items.forEach((row) => store.insertAt(store.count() || 0, row));
        }
      } catch (e) { toast(errorMessage(e), { kind: "error" }); return; }
    }
    await store.ensure(r0, r0 + height - 1);
    const changes = [];
    for (let dr = 0; dr < height; dr++) {
      const row = store.get(r0 + dr);
      if (!row) continue;
      for (let dc = 0; dc < width; dc++) {
        const f = cols[c0 + dc];
        if (!f || isReadOnly(f)) continue;
        const text = single ? block[0][0] : (block[dr] || [])[dc];
        if (text === undefined) continue;
        changes.push({ row, field: f, next: cellType(f).fromText(text, f) });
      }
    }
    anchor = { r: r0, c: c0 };
    active = { r: r0 + height - 1, c: c0 + width - 1 };
    paint();
    await writeCells(changes, t("undo.paste"), { group });
    if (missing > 0) rowsMoved();
    status.textContent = t("grid.pasted", { count: changes.length });
  }

  function clearSelection() {
    const r0 = Math.min(anchor.r, active.r), r1 = Math.max(anchor.r, active.r);
    const c0 = Math.min(anchor.c, active.c), c1 = Math.max(anchor.c, active.c);
    const changes = [];
    for (let r = r0; r <= r1; r++) {
      const row = store.get(r);
      if (!row) continue;
      for (let c = c0; c <= c1; c++) {
        const f = cols[c];
        if (isReadOnly(f)) continue;
        const empty = f.type === "boolean" ? false : f.type === "multiple_select" || f.type === "link_row" ? [] : f.type === "rating" ? 0 : null;
        changes.push({ row, field: f, next: empty });
      }
    }
    writeCells(changes, t("undo.clear"));
  }

  // --- events ----------------------------------------------------------------------------------
  scroller.addEventListener("scroll", schedule, { passive: true });
  const onNarrow = () => { rowEls.clear(); clear(body); schedule(); };
  narrowQuery.addEventListener("change", onNarrow);
  // A tap on a card opens the row (narrow screens).
  body.addEventListener("click", (e) => {
    if (!narrowQuery.matches || e.target.closest("a,button,.editor-box")) return;
    const rel = e.target.closest(".grid-row");
    const row = rel && store.get(Number(rel.dataset.r));
    if (row) onOpenRow(row.id);
  });
  let lastPaste = 0;
  gridEl.addEventListener("keydown", (e) => {
    if (editing) return;
    if (e.target.closest && e.target.closest(".group-head, .grid-foot")) return; // their buttons act alone
    const mod = e.ctrlKey || e.metaKey;
    const count = store.count() || 0;
    if (!count && !["Tab"].includes(e.key)) return;
    const ext = e.shiftKey;
    const move = (dr, dc) => { e.preventDefault(); setActive(dr ? lay.step(active.r, dr) : active.r, active.c + dc, ext); };
    switch (e.key) {
      case "ArrowDown": return mod ? (e.preventDefault(), setActive(lay.last(), active.c, ext)) : move(1, 0);
      case "ArrowUp": return mod ? (e.preventDefault(), setActive(lay.first(), active.c, ext)) : move(-1, 0);
      case "ArrowRight": return mod ? (e.preventDefault(), setActive(active.r, cols.length - 1, ext)) : move(0, 1);
      case "ArrowLeft": return mod ? (e.preventDefault(), setActive(active.r, 0, ext)) : move(0, -1);
      case "PageDown": return move(Math.floor(scroller.clientHeight / rowHeight()) - 1, 0);
      case "PageUp": return move(-Math.floor(scroller.clientHeight / rowHeight()) + 1, 0);
      case "Home": e.preventDefault(); return setActive(mod ? lay.first() : active.r, 0, ext);
      case "End": e.preventDefault(); return setActive(mod ? lay.last() : active.r, cols.length - 1, ext);
      case "Tab":
        if (active.c + (ext ? -1 : 1) < 0 || active.c + (ext ? -1 : 1) >= cols.length) return; // leave the grid
        e.preventDefault(); return setActive(active.r, active.c + (ext ? -1 : 1));
      case "Enter": case "F2":
        e.preventDefault();
        if (e.shiftKey && e.key === "Enter") { const row = store.get(active.r); if (row) onOpenRow(row.id); return; }
        return startEdit();
      case " ":
        if (cellType(cols[active.c]).toggle) { e.preventDefault(); return startEdit(); }
        if (e.shiftKey) { e.preventDefault(); const row = store.get(active.r); if (row) onOpenRow(row.id); return; }
        break;
      case "Escape": anchor = { ...active }; paint(); return;
      case "Delete": case "Backspace": e.preventDefault(); return clearSelection();
      case "ContextMenu": { e.preventDefault(); const r = (cellEl(active.r, active.c) || gridEl).getBoundingClientRect(); return rowMenu(r.left, r.bottom); }
      default: break;
    }
    if (e.key === "F10" && e.shiftKey) { e.preventDefault(); const r = (cellEl(active.r, active.c) || gridEl).getBoundingClientRect(); rowMenu(r.left, r.bottom); return; }
    if (mod && e.key.toLowerCase() === "a") { e.preventDefault(); anchor = { r: 0, c: 0 }; active = { r: count - 1, c: cols.length - 1 }; paint(); return; }
    if (mod && e.key.toLowerCase() === "v") {
      // The paste event normally follows; read the clipboard ourselves if it does not come.
      const asked = Date.now();
      setTimeout(() => { if (lastPaste < asked && navigator.clipboard && navigator.clipboard.readText) navigator.clipboard.readText().then(pasteText).catch(() => {}); }, 150);
      return;
    }
    if (!mod && !e.altKey && e.key.length === 1) {
      e.preventDefault();
      startEdit(e.key);
    }
  });
  gridEl.addEventListener("copy", (e) => {
    if (editing) return;
    e.preventDefault();
    e.clipboardData.setData("text/plain", selectionTSV());
    status.textContent = t("grid.copied");
  });
  gridEl.addEventListener("cut", (e) => {
    if (editing) return;
    e.preventDefault();
    e.clipboardData.setData("text/plain", selectionTSV());
    clearSelection();
  });
  gridEl.addEventListener("paste", (e) => {
    if (editing) return;
    lastPaste = Date.now();
    e.preventDefault();
    pasteText(e.clipboardData.getData("text/plain"));
  });
  body.addEventListener("mousedown", (e) => {
    if (e.button !== 0) return;
    const cell = e.target.closest(".cell[data-c]");
    if (!cell || e.target.closest("a,button,.editor-box")) return;
    const r = Number(cell.dataset.r), c = Number(cell.dataset.c);
    if (editing) return;
    const wasActive = active.r === r && active.c === c && anchor.r === r && anchor.c === c;
    e.preventDefault();
    active = { r, c };
    if (!e.shiftKey) anchor = { r, c };
    dragging = true;
    paint();
    cell.focus({ preventScroll: true });
    if (wasActive && cellType(cols[c]).toggle) startEdit();
  });
  body.addEventListener("mouseover", (e) => {
    if (!dragging) return;
    const cell = e.target.closest(".cell[data-c]");
    if (!cell) return;
    active = { r: Number(cell.dataset.r), c: Number(cell.dataset.c) };
    paint();
  });
  document.addEventListener("mouseup", () => { dragging = false; });
  body.addEventListener("dblclick", (e) => {
    const cell = e.target.closest(".cell[data-c]");
    if (!cell || editing || cellType(cols[Number(cell.dataset.c)]).toggle) return;
    startEdit();
  });
  body.addEventListener("contextmenu", (e) => {
    const cell = e.target.closest(".cell[data-c]");
    if (!cell) return;
    e.preventDefault();
    const r = Number(cell.dataset.r), c = Number(cell.dataset.c);
    const r0 = Math.min(anchor.r, active.r), r1 = Math.max(anchor.r, active.r);
    if (r < r0 || r > r1) { active = { r, c }; anchor = { r, c }; paint(); }
    rowMenu(e.clientX, e.clientY);
  });
  gridEl.addEventListener("focus", () => { if (!editing) focusActive(); });

  computeCols();
  store.ensure(0, 0);
  loadGroups();

  return {
    el,
    store,
    cols: () => cols,
    focus: () => focusActive(),
    isEditing: () => Boolean(editing),
    setFields(next) { fields = next; computeCols(); if (totals) totals.reload(); },
    relayout() { computeCols(); },
    refresh() { store.reset(); rowEls.clear(); clear(body); schedule(); },
    destroy() { narrowQuery.removeEventListener("change", onNarrow); if (totals) totals.destroy(); },
    reload() { loadGroups(); store.stale(); schedule(); if (totals) totals.refresh(); },
    // After a server-side undo or redo (history.js): a row may come back changed with the version the grid
    // drew, so the loaded rows get a version no fetch gives (-1) and are drawn again once fetched.
    afterUndo() {
      for (let i = 0, n = store.count() || 0; i < n; i++) { const r = store.get(i); if (r) r.__v = -1; }
      loadGroups(); store.stale(); schedule(); if (totals) totals.refresh();
    },
    scrollTop: () => scroller.scrollTop,
    setScrollTop: (v) => { scroller.scrollTop = v; schedule(); },
    writeCells,
    deleteRows,
    addRow,
    rowAt: (i) => store.get(i),
    // Live updates (tablePage hands the socket's events here).
    liveUpdated,
    liveMoved: () => resync(),
    refreshTotals: () => { if (totals) totals.reload(); },
  };
}

function typeIcon(type) {
  return ({ text: "A", long_text: "¶", number: "#", rating: "★", boolean: "☑", date: "▦", duration: "⏱", single_select: "◉",
    multiple_select: "☰", url: "🔗", email: "@", phone_number: "☎", autonumber: "№", uuid: "ID", created_on: "▦", last_modified: "▦",
    created_by: "👤", last_modified_by: "👤", link_row: "↔", lookup: "⌕", rollup: "Σ", count: "Σ", formula: "ƒ" })[type] || "•";
}

export function highlight(root, term) {
  const needle = term.toLowerCase();
  if (!needle) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    const text = node.nodeValue;
    const lower = text.toLowerCase();
    let i = lower.indexOf(needle);
    if (i < 0) continue;
    const frag = document.createDocumentFragment();
    let last = 0;
    while (i >= 0) {
      frag.append(text.slice(last, i), h("mark", {}, text.slice(i, i + needle.length)));
      last = i + needle.length;
      i = lower.indexOf(needle, last);
    }
    frag.append(text.slice(last));
    node.replaceWith(frag);
  }
}
