// One table: its name, view tabs, the toolbar (search, filter, sort, fields, undo/redo), the grid or
// cards, and the expanded row. Search, open row and scroll anchor live in the URL (they are one person's);
// filters, sorts, hidden fields, column widths and order are saved in the open view, for everyone.
import { h } from "../dom.js";
import { api } from "../api.js";
import { t, errorMessage } from "../i18n.js";
import { parse, patchParams } from "../router.js";
import { grid, rowHeight } from "./grid.js";
import { PAGE } from "../rowstore.js";
import { toast } from "./toast.js";
import { showMenu } from "./menu.js";
import { confirmDialog, promptDialog } from "./dialog.js";
import { filterPanel, sortPanel, hiddenPanel, filterCount, groupPanel, clean } from "./panels.js";
import { watchTable, liveUserId, onLiveStatus } from "../live.js";
import { presenceBar } from "./presence.js";
import { emptyState } from "./emptyState.js";
import { undoAndTell, setScope, canUndo, canRedo, onHistory, clearHistory } from "../history.js";
import { idMap } from "../idmap.js";

const VIEW_TYPES = ["grid", "form", "gallery", "kanban", "calendar"];
const VIEW_ICONS = { grid: "▦", form: "☰", gallery: "▤", kanban: "▥", calendar: "▣" };

const layoutKey = (id) => `nocodedb.layout.${id}`;
const firstViewKey = (id) => `nocodedb.firstView.${id}`; // read by index.html's boot script too

// Modules the first rows of a grid do not need, loaded when first used (and in idle time after the grid
// shows), so that opening a table downloads and runs less before its rows appear. The promises are shared.
let viewModules = null; // { kanbanView, galleryView, calendarView, formBuilder } once loaded
const loadViewModules = (() => {
  let loading = null;
  return () => loading || (loading = Promise.all([import("./kanban.js"), import("./gallery.js"), import("./calendarView.js"), import("./formBuilder.js")])
    .then(([k, ga, c, f]) => (viewModules = { kanbanView: k.kanbanView, galleryView: ga.galleryView, calendarView: c.calendarView, formBuilder: f.formBuilder }))
    .catch((e) => { loading = null; throw e; }));
})();
let rowPanelModule = null;
const loadRowPanel = () => import("./rowPanel.js").then((m) => (rowPanelModule = m));
const loadFieldDialog = () => import("./fieldDialog.js");
function warmLazyModules() {
  const later = window.requestIdleCallback || ((f) => setTimeout(f, 200));
  later(() => { loadRowPanel().catch(() => {}); loadFieldDialog().catch(() => {}); loadViewModules().catch(() => {}); });
}

export function tablePage({ tableId, table, database, onRenamed, onDeleted }) {
  const params = parse().params;
  // Filters and sorts once kept in the address (per browser) are dropped: the view's own are shown instead.
  if (params.filters || params.sort) patchParams({ filters: undefined, sort: undefined });
  let filters = null; // the open view's filter tree, with the ids the server gave (see loadViewState)
  let sorts = []; // [{id, field, desc}] of the open view
  let search = params.search || "";
  let fields = [];
  // Only collapsed groups stay in the browser; hidden fields, order and widths come from the view.
  let stored = {};
  try { stored = JSON.parse(localStorage.getItem(layoutKey(tableId)) || "{}") || {}; } catch { stored = {}; }
  const layout = { collapsed: Array.isArray(stored.collapsed) ? stored.collapsed : [] };
  let g = null;
  let other = null; // a non-grid view component
  let panel = null;
  let views = [];
  let currentView = null;
  let groupBys = []; // the grid view's group-bys as the API lists them ({id, field, order})
  const ids = idMap();
  // Settled when the first rows are on screen (or when there are none to wait for): requests the first
  // screen does not need (the role, the sidebar) wait for it, so that they do not slow those rows down.
  let rowsShown;
  const firstRows = new Promise((resolve) => { rowsShown = resolve; });
  let databaseSet;
  const databaseKnown = new Promise((resolve) => { databaseSet = resolve; });
  const afterFirstRows = () => Promise.race([firstRows, new Promise((resolve) => setTimeout(resolve, 1000))]);
  clearHistory();
  // Ctrl+Z reaches this table's row and field actions and the open view's own changes (server side).
  setScope(() => ({ table: tableId, view: currentView ? currentView.id : undefined }), afterServerUndo);

  const title = h("h1", { class: "table-title" }, table ? table.name : "…");
  const count = h("span", { class: "row-count", "aria-live": "polite" });
  const tabs = h("div", { class: "view-tabs", role: "tablist", "aria-label": t("view.tabs") });
  const searchInput = h("input", { type: "search", class: "search", placeholder: t("toolbar.search"), "aria-label": t("toolbar.search"), value: search });
  const filterBtn = h("button", { type: "button", class: "tool", "aria-haspopup": "dialog" });
  const sortBtn = h("button", { type: "button", class: "tool", "aria-haspopup": "dialog" });
  const hideBtn = h("button", { type: "button", class: "tool", "aria-haspopup": "dialog" });
  const groupBtn = h("button", { type: "button", class: "tool", "aria-haspopup": "dialog" });
  const presence = presenceBar();
  const offline = h("span", { class: "live-offline", role: "status", hidden: true }, t("live.offline"));
  const offStatus = onLiveStatus((state) => { offline.hidden = state !== "offline"; });
  const undoBtn = h("button", { type: "button", class: "icon", "aria-label": t("undo.undo"), title: `${t("undo.undo")} (Ctrl+Z)`, onclick: () => doUndo() }, "↶");
  const redoBtn = h("button", { type: "button", class: "icon", "aria-label": t("undo.redo"), title: `${t("undo.redo")} (Ctrl+Shift+Z)`, onclick: () => doRedo() }, "↷");
  const addFieldBtn = h("button", { type: "button", class: "tool", onclick: () => openFieldDialog(null) }, `+ ${t("field.add")}`);
  const addRowBtn = h("button", { type: "button", class: "primary", onclick: async () => {
    if (g) { g.addRow(); return; }
    // Other views: create the row and open it to fill it in.
    try { const row = await api.createRow(tableId, {}); if (other && other.reload) other.reload(); openRow(row.id); }
    catch (e) { toast(errorMessage(e), { kind: "error" }); }
  } }, `+ ${t("row.add")}`);
  const toolbar = h("div", { class: "toolbar", role: "toolbar", "aria-label": t("toolbar.label") },
    searchInput, filterBtn, sortBtn, groupBtn, hideBtn, addFieldBtn, h("span", { class: "spacer" }), undoBtn, redoBtn, addRowBtn);
  const gridBox = h("div", { class: "grid-box" });
  const side = h("div", { class: "side" });
  const el = h("div", { class: "table-page" },
    h("div", { class: "table-head" }, title,
      h("button", { type: "button", class: "icon", "aria-label": t("table.menu"), title: t("table.menu"), "aria-haspopup": "menu", onclick: (e) => tableMenu(e.currentTarget) }, "⋯"),
      count, h("span", { class: "spacer" }), offline, presence.el),
    tabs, toolbar, h("div", { class: "table-main" }, gridBox, side));

  const offHistory = onHistory(() => { undoBtn.disabled = !canUndo(); redoBtn.disabled = !canRedo(); });
  undoBtn.disabled = true; redoBtn.disabled = true;

  function drawToolbar() {
    const n = filterCount(knownTree(filters));
    filterBtn.textContent = n ? t("toolbar.filtersN", { count: n }) : t("toolbar.filter");
    filterBtn.classList.toggle("on", n > 0);
    sortBtn.textContent = sorts.length ? t("toolbar.sortsN", { count: sorts.length }) : t("toolbar.sort");
    sortBtn.classList.toggle("on", sorts.length > 0);
    const hidden = (layout.hidden || []).filter((id) => fields.some((f) => f.id === id)).length;
    hideBtn.textContent = hidden ? t("toolbar.hiddenN", { count: hidden }) : t("toolbar.fields");
    hideBtn.classList.toggle("on", hidden > 0);
    const grouped = activeGroups().length;
    groupBtn.textContent = grouped ? t("groups.toolbarN", { count: grouped }) : t("groups.toolbar");
    groupBtn.classList.toggle("on", grouped > 0);
  }

  // Group-bys whose field still exists (a deleted field's group-by is ignored by the server too).
  const activeGroups = () => groupBys.filter((gb) => fields.some((f) => f.id === gb.field));

  function query() {
    // The server applies the view's own filters, group-bys and sorts (view_id): the page and the API agree.
    if (persisted()) return { search: search || undefined, view_id: currentView.id };
    // Without views (older servers) the page's filters and sorts go with each request, for this page only.
    const tree = clean(filters || { filter_type: "AND", filters: [] });
    return {
      order_by: sorts.filter((s) => fields.some((f) => f.id === s.field)).map((s) => `${s.desc ? "-" : ""}field_${s.field}`).join(",") || undefined,
      filters: tree ? JSON.stringify(tree) : undefined,
      search: search || undefined,
    };
  }

  function mountGrid({ keepScroll = false } = {}) {
    const top = keepScroll && g ? g.scrollTop() : Number(parse().params.top || 0) * rowHeight();
    gridBox.replaceChildren();
    if (g) g.destroy();
    g = null; other = null;
    hint = null;
    if (!fields.length) return;
    const type = currentView ? currentView.type : "grid";
    for (const b of [filterBtn, sortBtn, hideBtn, searchInput]) b.hidden = type !== "grid";
    groupBtn.hidden = type !== "grid" || !currentView;
    if (type !== "grid") {
      if (!viewModules) {
        // Mounted again once the module is there, if this view is still the open one.
        const view = currentView;
        loadViewModules().then(() => { if (currentView === view) mountGrid(); }, (e) => toast(errorMessage(e), { kind: "error" }));
        return;
      }
      const { kanbanView, galleryView, calendarView, formBuilder } = viewModules;
      const opts = { tableId, view: currentView, fields, onOpenRow: openRow, onViewChanged: (v) => { Object.assign(currentView, v); } };
      other = type === "kanban" ? kanbanView(opts) : type === "gallery" ? galleryView(opts) : type === "calendar" ? calendarView(opts) : formBuilder(opts);
      gridBox.append(other.el);
      return;
    }
    g = grid({
      tableId, fields, layout, query: query(), ids,
      viewId: currentView && currentView.type === "grid" ? currentView.id : undefined,
      groupBys: currentView && currentView.type === "grid" ? activeGroups() : [],
      sorted: persisted() ? [...activeGroups().map((gb) => ({ field: gb.field, desc: gb.order === "DESC" })), ...sorts] : sorts,
      onOpenRow: openRow,
      onFieldMenu: fieldMenu,
      onAddField: () => openFieldDialog(null),
      onLayout: (l) => told(saveLayout(l)),
      onCount: (n) => { rowsShown(); count.textContent = t("table.rows", { count: n.toLocaleString() }); emptyHint(n); },
    });
    gridBox.append(g.el);
    if (top) requestAnimationFrame(() => g.setScrollTop(top));
    const scroller = g.el.querySelector(".grid-scroll");
    let tm = null;
    scroller.addEventListener("scroll", () => { clearTimeout(tm); tm = setTimeout(() => patchParams({ top: Math.floor(scroller.scrollTop / rowHeight()) || undefined }), 300); }, { passive: true });
  }

  let hint = null;
  function emptyHint(n) {
    if (n === 0 && !hint && !filterCount(knownTree(filters)) && !search) {
      hint = emptyState({ title: t("empty.noRows.title"), text: t("empty.noRows.text"), actions: [
        { label: t("row.add"), run: () => g.addRow() }, { label: t("field.add"), run: () => openFieldDialog(null) }] });
      hint.classList.add("inline");
      gridBox.append(hint);
    } else if (n > 0 && hint) { hint.remove(); hint = null; }
  }

  function applyQuery() {
    patchParams({ search: search || undefined, top: undefined });
    drawToolbar();
    mountGrid();
  }

  let searchTimer = null;
  searchInput.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { search = searchInput.value.trim(); applyQuery(); }, 250); });
  // A panel opened before the role is known waits for it: a viewer must never get editable controls.
  filterBtn.addEventListener("click", async () => { await roleKnown(); filterPanel({ anchor: filterBtn, fields, tree: knownTree(filters), readOnly: !canEdit, onChange: saveFilters }); });
  sortBtn.addEventListener("click", async () => { await roleKnown(); sortPanel({ anchor: sortBtn, fields, sorts: knownSorts(), readOnly: !canEdit, onChange: saveSorts }); });
  groupBtn.addEventListener("click", async () => { await roleKnown(); groupPanel({ anchor: groupBtn, fields, groups: activeGroups(), readOnly: !canEdit, onChange: saveGroups }); });
  hideBtn.addEventListener("click", async () => { await roleKnown(); hiddenPanel({ anchor: hideBtn, fields, hidden: layout.hidden || [], readOnly: !canEdit, onChange: (hidden) => { layout.hidden = hidden; g && g.relayout(); return saveLayout(layout); } }); });

  // --- view persistence: filters, sorts and field options are saved in the open grid view, so everyone who
  // opens it sees the same rows. Builders and admins may change them (services/view_items.py); others see
  // the panels read-only. ---
  let canEdit = true; // until the role is known; a refusal from the server turns it off as well
  let saved = null; // what the server holds for the open view: {view, filter_type, groups, filters, sorts, options}
  let viewWrites = Promise.resolve(); // one change at a time, in order: each needs the ids the previous one got
  const DEFAULT_ORDER = 32767, DEFAULT_WIDTH = 200; // the server's defaults (views/types.py): nobody chose them
  const persisted = () => Boolean(currentView && currentView.type === "grid");
  const isOpen = (view) => Boolean(currentView && currentView.id === view.id); // the list is read again on live events
  const knownField = (id) => fields.some((f) => f.id === id);
  // Items on a field deleted since are not shown (the server ignores them too) and never touched.
  const knownTree = (tree) => tree && { ...tree, filters: tree.filters.filter((c) => knownField(c.field)),
    groups: (tree.groups || []).map((gr) => ({ ...gr, filters: gr.filters.filter((c) => knownField(c.field)) })) };
  const knownSorts = () => sorts.filter((x) => knownField(x.field));
  const told = (p) => p && p.catch((e) => toast(e.message, { kind: "error" }));
  function queue(work) {
    const run = viewWrites.then(work);
    viewWrites = run.catch(() => {});
    return run;
  }
  function refusal(e, what) {
    if (e && e.status === 403) {
      canEdit = false;
      const err = new Error(t(`viewSave.readOnly.${what}`));
      err.readOnly = true;
      return err;
    }
    return new Error(t("viewSave.failed", { detail: errorMessage(e) }));
  }

  async function loadViewState(view) {
    if (!view || view.type !== "grid") { saved = null; groupBys = []; filters = null; sorts = []; applyOptions({}); return; }
    let v;
    try { v = await api.viewWithItems(view.id); } catch { return; }
    if (!currentView || currentView.id !== view.id) return; // another view was opened meanwhile
    groupBys = (v.group_bys || []).slice().sort((a, b) => a.id - b.id);
    const top = (v.filter_groups || []).filter((gr) => gr.parent_group == null);
    const tree = { filter_type: v.filter_type || "AND", filters: [], groups: top.map((gr) => ({ id: gr.id, filter_type: gr.filter_type, filters: [] })) };
    const savedFilters = new Map();
    for (const f of v.filters || []) {
      const cond = { id: f.id, field: f.field, type: f.type, value: f.value ?? "", keepType: true };
      const gr = f.group == null ? tree : tree.groups.find((x) => x.id === f.group);
      if (!gr) continue; // in a nested group, which the panel does not show: left as it is
      gr.filters.push(cond);
      savedFilters.set(f.id, { field: f.field, type: f.type, value: cond.value, group: f.group ?? null });
    }
    filters = tree;
    sorts = (v.sortings || []).map((x) => ({ id: x.id, field: x.field, desc: x.order === "DESC" }));
    saved = { view: view.id, filter_type: tree.filter_type, groups: new Map(tree.groups.map((gr) => [gr.id, gr.filter_type])),
      filters: savedFilters, sorts: sorts.map((x) => ({ ...x })), options: v.field_options || {} };
    applyOptions(saved.options);
  }
  function applyOptions(options) {
    const entries = Object.entries(options).map(([id, o]) => [Number(id), o || {}]);
    layout.hidden = entries.filter(([, o]) => o.hidden).map(([id]) => id);
    layout.order = entries.filter(([, o]) => (o.order ?? DEFAULT_ORDER) !== DEFAULT_ORDER)
      .sort((a, b) => a[1].order - b[1].order || a[0] - b[0]).map(([id]) => id);
    layout.widths = Object.fromEntries(entries.filter(([, o]) => o.width && o.width !== DEFAULT_WIDTH).map(([id, o]) => [id, o.width]));
  }

  // tree: the filter panel's own tree; the ids the server gives are written on its items.
  function saveFilters(tree) {
    filters = tree;
    if (!persisted()) { applyQuery(); return null; }
    const view = currentView;
    return queue(async () => {
      try { await syncFilters(view, tree); }
      catch (e) { await loadViewState(view); throw refusal(e, "filters"); }
      finally { if (isOpen(view)) { drawToolbar(); mountGrid(); } }
    });
  }
  async function syncFilters(view, tree) {
    if (!saved || saved.view !== view.id) throw new Error(t("error.unknown"));
    const s = saved;
    if (tree.filter_type !== s.filter_type) { await api.updateView(view.id, { filter_type: tree.filter_type }); s.filter_type = tree.filter_type; }
    const liveGroups = new Set(tree.groups.map((gr) => gr.id).filter(Boolean));
    for (const id of [...s.groups.keys()]) {
      if (liveGroups.has(id)) continue;
      await api.deleteFilterGroup(id); // its filters go with it
      s.groups.delete(id);
      for (const [fid, f] of [...s.filters]) if (f.group === id) s.filters.delete(fid);
    }
    const all = [...tree.filters.map((c) => [c, null]), ...tree.groups.flatMap((gr) => gr.filters.map((c) => [c, gr]))];
    const liveIds = new Set(all.map(([c]) => c.id).filter(Boolean));
    for (const [id, f] of [...s.filters]) {
      if (liveIds.has(id) || !knownField(f.field)) continue;
      await api.deleteFilter(id);
      s.filters.delete(id);
    }
    for (const gr of tree.groups) {
      if (!gr.id) { const made = await api.addFilterGroup(view.id, { filter_type: gr.filter_type }); gr.id = made.id; s.groups.set(made.id, gr.filter_type); }
      else if (s.groups.get(gr.id) !== gr.filter_type) { await api.updateFilterGroup(gr.id, { filter_type: gr.filter_type }); s.groups.set(gr.id, gr.filter_type); }
    }
    for (const [c, gr] of all) {
      const want = { field: c.field, type: c.type, value: c.value ?? "" };
      const group = gr ? gr.id : null;
      const had = c.id && s.filters.get(c.id);
      if (!had) { const made = await api.addFilter(view.id, { ...want, group }); c.id = made.id; }
      else if (had.field !== want.field || had.type !== want.type || had.value !== want.value) await api.updateFilter(c.id, want);
      else continue;
      s.filters.set(c.id, { ...want, group });
    }
  }

  // list: [{field, desc}] in priority order. Sorts are kept up to the first that differs, the rest made again.
  function saveSorts(list) {
    sorts = list.map((x) => ({ ...x }));
    if (!persisted()) { applyQuery(); return null; }
    const view = currentView;
    return queue(async () => {
      try {
        if (!saved || saved.view !== view.id) throw new Error(t("error.unknown"));
        const old = saved.sorts;
        let same = 0;
        while (same < old.length && same < list.length && old[same].field === list[same].field) same++;
        const next = old.slice(0, same).map((x) => ({ ...x }));
        for (let i = 0; i < same; i++) {
          if (old[i].desc === list[i].desc) continue;
          await api.updateSort(old[i].id, { order: list[i].desc ? "DESC" : "ASC" });
          next[i].desc = list[i].desc;
        }
        for (const x of old.slice(same)) await api.deleteSort(x.id);
        for (const x of list.slice(same)) {
          const made = await api.addSort(view.id, x.field, x.desc ? "DESC" : "ASC");
          next.push({ id: made.id, field: made.field, desc: made.order === "DESC" });
        }
        saved.sorts = next;
        sorts = next.map((x) => ({ ...x }));
      } catch (e) { await loadViewState(view); throw refusal(e, "sorts"); }
      finally { if (isOpen(view)) { drawToolbar(); mountGrid(); } }
    });
  }

  // The grid holds this same layout object: it is changed in place. Hidden fields, order and widths go to
  // the view's field options (only what changed); collapsed groups stay in this browser.
  function saveLayout(l) {
    if (l !== layout) Object.assign(layout, l);
    localStorage.setItem(layoutKey(tableId), JSON.stringify({ collapsed: layout.collapsed || [] }));
    drawToolbar();
    // A person who may not change the view still resizes or moves columns, for this page only.
    if (!persisted() || !saved || !canEdit) return null;
    const view = currentView;
    return queue(async () => {
      if (!saved || saved.view !== view.id) return;
      const patch = {};
      for (const f of fields) {
        const had = saved.options[String(f.id)] || {};
        const want = {};
        const hidden = (layout.hidden || []).includes(f.id);
        if (hidden !== Boolean(had.hidden)) want.hidden = hidden;
        const i = (layout.order || []).indexOf(f.id);
        if (i >= 0 && i !== (had.order ?? DEFAULT_ORDER)) want.order = i;
        const w = (layout.widths || {})[f.id];
        if (w && w !== (had.width ?? DEFAULT_WIDTH)) want.width = Math.max(50, Math.min(2000, Math.round(w)));
        if (Object.keys(want).length) patch[f.id] = want;
      }
      if (!Object.keys(patch).length) return;
      try {
        const res = await api.updateViewFieldOptions(view.id, patch);
        if (saved && saved.view === view.id) saved.options = res.field_options || saved.options;
      } catch (e) {
        await loadViewState(view);
        if (isOpen(view)) { drawToolbar(); if (g) g.relayout(); }
        throw refusal(e, "fields");
      }
    });
  }

  // Builders and admins change views; the role is the person's in the table's workspace. Asked for once:
  // after the first rows, or sooner by whoever needs it first.
  let rolePromise = null;
  function roleKnown() { return rolePromise || (rolePromise = loadRole()); }
  async function loadRole() {
    try {
      const tb = await api.table(tableId);
      if (!table) title.textContent = tb.name;
      const [db, wss] = await Promise.all([api.database(tb.database_id), api.workspaces()]);
      const ws = wss.find((w) => db.workspace && w.id === db.workspace.id);
      if (ws) canEdit = ["admin", "builder"].includes(String(ws.role || ws.permissions || "").toLowerCase());
    } catch { /* the default stays: a refusal from the server locks the panels all the same */ }
  }
  // --- end view persistence block ---

  // --- group-by (grid live feature): saved in the view, so the API can count the groups ---
  function saveGroups(wanted) {
    const view = currentView;
    return queue(async () => {
      try {
        const old = activeGroups();
        // Levels are kept up to the first one that differs; the rest is removed and added again in
        // order (one field per level: editing in place could collide with a field used lower).
        let same = 0;
        while (same < old.length && same < wanted.length && old[same].field === wanted[same].field) same++;
        for (let i = 0; i < same; i++) if (old[i].order !== wanted[i].order) await api.updateGroupBy(old[i].id, { order: wanted[i].order });
        for (const gb of old.slice(same)) await api.deleteGroupBy(gb.id);
        for (const gb of wanted.slice(same)) await api.addGroupBy(view.id, gb.field, gb.order);
      } catch (e) { toast(errorMessage(e), { kind: "error" }); }
      await loadViewState(view);
      if (view !== currentView) return;
      drawToolbar();
      mountGrid({ keepScroll: true });
    });
  }

  // --- live updates (grid live feature): others' changes arrive without reload ---
  let fieldsTimer = null;
  // Columns change only when nobody is typing in a cell: the editor would be redrawn away.
  function refreshColumns() {
    clearTimeout(fieldsTimer);
    fieldsTimer = setTimeout(() => { if (g && g.isEditing()) refreshColumns(); else reloadFields(); }, g && g.isEditing() ? 500 : 150);
  }
  const stopWatching = watchTable(tableId, {
    onEvent(m) {
      if (m.type === "rows.updated") {
        if (g) g.liveUpdated(m.row_ids || [], m.field_ids);
        if (panel && (m.row_ids || []).includes(Number(parse().params.row))) refreshPanel();
      } else if (m.type === "rows.created" || m.type === "rows.deleted") {
        if (g) g.liveMoved();
      } else if (m.type.startsWith("field")) refreshColumns();
      else if (m.type.startsWith("view.")) viewEvent(m); // view live events
      if (other && other.reload && m.type.startsWith("rows.")) other.reload();
    },
    onPresence(users) { for (const u of users) if (u.user_id !== undefined) watcherNames.set(u.user_id, u.name); presence.update(users, liveUserId()); },
    onResync() { refreshColumns(); },
    onStatus(state, m) { if (state === "refused") toast(errorMessage({ code: m.error, detail: m.detail }), { kind: "error" }); },
  });
  // --- view live events: someone else changed this table's views; tabs follow, the open view reloads ---
  const watcherNames = new Map(); // user id -> name, from presence (the one who changes a view is usually looking)
  // Parts of a view that change which rows show, or how: the open view reloads its rows for them.
  const ROW_PARTS = new Set(["filters", "sorts", "group_bys", "field_options", "options", "decorations"]);
  let viewTimer = null;
  let viewPending = { reload: false, by: undefined };
  function viewEvent(m) {
    const current = currentView && m.view_id === currentView.id;
    if (current && m.type === "view.updated" && (m.changed || []).some((p) => ROW_PARTS.has(p))) viewPending.reload = true;
    if (current) viewPending.by = m.user_id;
    // Several events come together (a filter group and its filters): one refresh after the burst.
    clearTimeout(viewTimer);
    viewTimer = setTimeout(applyViewEvents, 150);
  }
  async function applyViewEvents() {
    if (g && g.isEditing()) { viewTimer = setTimeout(applyViewEvents, 500); return; } // never under a typing hand
    const { reload, by } = viewPending;
    viewPending = { reload: false, by: undefined };
    let fresh;
    try { fresh = await api.views(tableId); } catch { return; }
    const openId = currentView ? currentView.id : null;
    views = fresh;
    const kept = views.find((v) => v.id === openId);
    const name = watcherNames.get(by);
    if (!kept && openId !== null) {
      toast(name ? t("view.live.deleted", { name }) : t("view.live.deletedSomeone"));
      if (views.length) await switchView(views[0]); else { currentView = null; drawTabs(); }
      return;
    }
    if (kept) currentView = kept;
    drawTabs();
    if (!reload) return;
    toast(name ? t("view.live.changed", { name }) : t("view.live.changedSomeone"));
    const view = currentView;
    await queue(() => loadViewState(view));
    if (view !== currentView) return;
    drawToolbar();
    mountGrid({ keepScroll: true });
  }

  // The open row shows the others' change once the grid has it.
  let panelTimer = null;
  function refreshPanel() { clearTimeout(panelTimer); panelTimer = setTimeout(() => panel && panel.update(), 300); }

  function openFieldDialog(field) {
    // The sidebar tells which database this table is in (its tables are the link targets) once the first
    // rows show: a dialog opened before waits for it, a little.
    const known = database ? null : Promise.race([databaseKnown, new Promise((resolve) => setTimeout(resolve, 3000))]);
    Promise.all([loadFieldDialog(), known]).then(([{ fieldDialog }]) => fieldDialog({ tableId, field, fields, tables: (database ? database.tables : []).map((x) => ({ id: x.id, name: x.name })), onSaved: async () => { await reloadFields(); } }),
      (e) => toast(errorMessage(e), { kind: "error" }));
  }

  async function fieldMenu(f, anchor) {
    await roleKnown(); // its sort, filter and hide entries are for builders
    const visible = g ? g.cols() : [];
    const i = visible.indexOf(f);
    showMenu({ anchor, label: f.name, items: [
      { label: t("field.editMenu"), run: () => openFieldDialog(f) },
      { label: t("sort.asc"), disabled: !canEdit, run: () => told(saveSorts([{ field: f.id, desc: false }])) },
      { label: t("sort.desc"), disabled: !canEdit, run: () => told(saveSorts([{ field: f.id, desc: true }])) },
      { label: t("filter.byField"), disabled: !canEdit, run: () => {
        const base = knownTree(filters) || { filter_type: "AND", filters: [], groups: [] };
        filterPanel({ anchor: filterBtn, fields, tree: { ...base, filters: [...base.filters, { field: f.id, type: "", value: "" }] }, onChange: saveFilters });
      } },
      f.primary ? null : { label: t("field.moveLeft"), disabled: i <= 1, run: () => moveField(f, -1) },
      f.primary ? null : { label: t("field.moveRight"), disabled: i >= visible.length - 1, run: () => moveField(f, 1) },
      f.primary ? null : { label: t("field.hide"), disabled: !canEdit, run: () => { layout.hidden = [...(layout.hidden || []), f.id]; g.relayout(); told(saveLayout(layout)); } },
      "-",
      f.primary ? null : { label: t("field.delete"), danger: true, run: () => deleteField(f) },
    ] });
  }

  function moveField(f, d) {
    const order = g.cols().filter((c) => !c.primary).map((c) => c.id);
    const i = order.indexOf(f.id);
    order.splice(i, 1);
    order.splice(Math.max(0, Math.min(order.length, i + d)), 0, f.id);
    layout.order = order;
    g.relayout();
    told(saveLayout(layout));
  }

  async function deleteField(f) {
    const ok = await confirmDialog({ title: t("field.delete"), message: t("field.deleteConfirm", { name: f.name }), confirm: t("field.delete"), danger: true });
    if (!ok) return;
    const before = fields;
    fields = fields.filter((x) => x.id !== f.id);
    g.setFields(fields);
    try { await api.deleteField(f.id); toast(t("field.deleted", { name: f.name })); }
    catch (e) { fields = before; g.setFields(fields); toast(errorMessage(e), { kind: "error" }); }
  }

  async function tableMenu(anchor) {
    showMenu({ anchor, label: t("table.menu"), items: [
      { label: t("table.rename"), run: renameTable },
      { label: t("table.delete"), danger: true, run: deleteTable },
    ] });
  }
  async function renameTable() {
    const name = await promptDialog({ title: t("table.rename"), label: t("common.name"), value: title.textContent, confirm: t("common.rename") });
    if (!name) return;
    const old = title.textContent;
    title.textContent = name; onRenamed(tableId, name);
    try { await api.renameTable(tableId, name); } catch (e) { title.textContent = old; onRenamed(tableId, old); toast(errorMessage(e), { kind: "error" }); }
  }
  async function deleteTable() {
    const ok = await confirmDialog({ title: t("table.delete"), message: t("table.deleteConfirm", { name: title.textContent }), confirm: t("table.delete"), danger: true });
    if (!ok) return;
    try { await api.deleteTable(tableId); toast(t("table.deleted", { name: title.textContent })); onDeleted(); } catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }

  function openRow(id) {
    patchParams({ row: id });
    showPanel(id);
  }
  function showPanel(id) {
    if (id && !rowPanelModule) {
      // Shown once the module is there, if that row is still the one asked for.
      loadRowPanel().then(() => { if (Number(parse().params.row) === Number(id)) showPanel(id); }, (e) => toast(errorMessage(e), { kind: "error" }));
      return;
    }
    const { rowPanel } = rowPanelModule || {};
    side.replaceChildren();
    if (!id || (!g && !other)) { panel = null; el.classList.remove("with-panel"); return; }
    // Outside the grid the panel reads the row from the API and writes it directly.
    const loose = new Map();
    const store = g ? g.store : { indexOf: () => -1, get: () => undefined, findById: (rid) => loose.get(rid) || null };
    panel = rowPanel({
      tableId, rowId: id, fields, store,
      write: g
        ? (row, f, next, hint) => g.writeCells([{ row: g.store.findById(row.id) || row, field: f, next, hint }], t("undo.edit")).then(() => panel && panel.update())
        : async (row, f, next) => {
          try { const saved = await api.updateRow(tableId, row.id, { [`field_${f.id}`]: next }); loose.set(saved.id, saved); panel && panel.update(); other && other.reload(); }
          catch (e) { toast(errorMessage(e), { kind: "error" }); }
        },
      onNavigate: (nid) => openRow(nid),
      onClose: () => { patchParams({ row: undefined }); showPanel(null); g && g.focus(); },
    });
    side.append(panel.el);
    el.classList.add("with-panel");
    panel.focus();
  }

  // Undo and redo happen on the server (history.js); this page then shows what they changed.
  async function doUndo() { await undoAndTell("undo"); }
  async function doRedo() { await undoAndTell("redo"); }
  async function afterServerUndo(actions) {
    const types = new Set((actions || []).map((a) => a.action_type));
    if ([...types].some((x) => x.endsWith("_view"))) {
      await loadViews();
      drawToolbar();
      mountGrid({ keepScroll: true });
    } else if ([...types].some((x) => x.endsWith("_field"))) { await reloadFields(); if (g) g.afterUndo(); }
    else if (g) g.afterUndo();
    if (other && other.reload) other.reload();
    if (panel) panel.update();
  }
  function onKey(e) {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod || e.key.toLowerCase() !== "z" && e.key.toLowerCase() !== "y") return;
    if (e.target.closest && e.target.closest("input,textarea,select,[contenteditable]")) return;
    if (g && g.isEditing()) return;
    e.preventDefault();
    if (e.key.toLowerCase() === "y" || e.shiftKey) doRedo(); else doUndo();
  }
  document.addEventListener("keydown", onKey);

  // View tabs. Without the views API (older servers) there is one implicit grid.
  async function loadViews() {
    try { views = await api.views(tableId); } catch (e) { views = []; }
    const wanted = Number(parse().params.view);
    currentView = views.find((v) => v.id === wanted) || views[0] || null;
    // The grid this table opens on, for index.html's boot script to ask for its rows at once next time.
    if (!wanted) {
      try {
        if (persisted()) localStorage.setItem(firstViewKey(tableId), String(currentView.id));
        else localStorage.removeItem(firstViewKey(tableId));
      } catch { /* storage full or refused: the next opening just waits for the views list */ }
    }
    // The first rows depend only on the view (the server applies its filters and sorts): they are asked
    // for now, while its settings load, and the grid takes the answer when it mounts.
    if (persisted()) api.prefetchRows(tableId, { ...query(), page: 1, size: PAGE });
    await loadViewState(currentView);
    drawTabs();
  }
  function drawTabs() {
    tabs.replaceChildren();
    if (!views.length) { tabs.append(h("button", { type: "button", role: "tab", "aria-selected": "true", class: "tab" }, t("view.grid"))); return; }
    for (const v of views) {
      const selected = currentView && v.id === currentView.id;
      tabs.append(h("button", { type: "button", role: "tab", class: `tab t-${v.type}`, "aria-selected": String(selected), tabindex: selected ? "0" : "-1",
        onclick: () => switchView(v), onkeydown: (e) => {
          const i = views.indexOf(v);
          const next = e.key === "ArrowRight" ? views[i + 1] : e.key === "ArrowLeft" ? views[i - 1] : null;
          if (next) { e.preventDefault(); switchView(next).then(() => tabs.querySelector('[aria-selected="true"]')?.focus()); }
        } }, h("span", { class: "view-icon", "aria-hidden": "true" }, VIEW_ICONS[v.type] || ""), " ", v.name));
    }
    tabs.append(h("button", { type: "button", class: "icon", "aria-label": t("view.menu"), title: t("view.menu"), "aria-haspopup": "menu", onclick: (e) => viewMenu(e.currentTarget) }, "⋯"));
    tabs.append(h("button", { type: "button", class: "quiet", "aria-haspopup": "menu", onclick: (e) => newViewMenu(e.currentTarget) }, `+ ${t("view.create")}`));
  }
  async function switchView(v) {
    currentView = v;
    patchParams({ view: v.id, top: undefined, row: undefined });
    showPanel(null);
    drawTabs();
    await queue(() => loadViewState(v));
    if (v.type !== "grid") await loadViewModules().catch(() => {}); // mountGrid tells if it failed
    if (v !== currentView) return;
    drawToolbar();
    mountGrid();
  }
  function newViewMenu(anchor) {
    showMenu({ anchor, label: t("view.create"), items: VIEW_TYPES.map((type) => ({ label: t(`view.type.${type}`), run: async () => {
      const name = await promptDialog({ title: t("view.create"), label: t("common.name"), value: t(`view.type.${type}`), confirm: t("common.create") });
      if (!name) return;
      try { const v = await api.createView(tableId, { name, type }); views.push(v); toast(t("view.created", { name })); switchView(v); }
      catch (e) { toast(errorMessage(e), { kind: "error" }); }
    } })) });
  }
  function viewMenu(anchor) {
    if (!currentView) return;
    const v = currentView;
    showMenu({ anchor, label: t("view.menu"), items: [
      { label: t("view.rename"), run: async () => {
        const name = await promptDialog({ title: t("view.rename"), label: t("common.name"), value: v.name, confirm: t("common.rename") });
        if (!name) return;
        const old = v.name; v.name = name; drawTabs();
        try { await api.updateView(v.id, { name }); } catch (e) { v.name = old; drawTabs(); toast(errorMessage(e), { kind: "error" }); }
      } },
      { label: t("view.delete"), danger: true, disabled: views.length <= 1, run: async () => {
        const ok = await confirmDialog({ title: t("view.delete"), message: t("view.deleteConfirm", { name: v.name }), confirm: t("view.delete"), danger: true });
        if (!ok) return;
        try { await api.deleteView(v.id); views = views.filter((x) => x !== v); switchView(views[0]); toast(t("view.deleted", { name: v.name })); }
        catch (e) { toast(errorMessage(e), { kind: "error" }); }
      } },
    ] });
  }

  async function reloadFields(known) {
    try {
      fields = known || await api.fields(tableId);
      drawToolbar();
      if (!g) mountGrid(); else { g.setFields(fields); g.reload(); }
      if (other && other.reload) other.reload();
      if (panel) showPanel(Number(parse().params.row));
    } catch (e) {
      gridBox.replaceChildren(emptyState({ title: t("table.notFound"), text: errorMessage(e), actions: [] }));
    }
  }

  (async () => {
    // The role only locks the panels (canEdit): it is asked for once the rows show.
    afterFirstRows().then(roleKnown);
    const rowParam = Number(parse().params.row);
    if (rowParam) loadRowPanel().catch(() => {}); // downloaded meanwhile
    await Promise.all([loadViews(), api.fields(tableId).then((fs) => { fields = fs; }).catch(() => {})]);
    if (currentView && currentView.type !== "grid") await loadViewModules().catch(() => {});
    await reloadFields(fields.length ? fields : null);
    if (!g) rowsShown(); // no grid (another kind of view, no field, an error): nothing to wait for
    if (rowParam) showPanel(rowParam);
    warmLazyModules();
  })();
  drawToolbar();

  return {
    el,
    afterFirstRows,
    setDatabase(db) { database = db; databaseSet(); },
    destroy() { document.removeEventListener("keydown", onKey); offHistory(); stopWatching(); offStatus(); clearTimeout(fieldsTimer); clearTimeout(panelTimer); clearTimeout(viewTimer); if (g) g.destroy(); },
  };
}
