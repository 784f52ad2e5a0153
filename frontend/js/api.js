// The only caller of fetch. Adds the JWT, refreshes it once on 401, and turns the API's
// {"error", "detail"} shape into a thrown ApiError.
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(typeof detail === "string" ? detail : code || `HTTP ${status}`);
    this.status = status;
    this.code = code || "ERROR_NETWORK";
    this.detail = detail;
  }
}

let refreshing = null;
// GET requests started ahead of the code that needs their answer (index.html's boot script, before the
// modules arrived; tablePage.js for the first rows while the view loads): path -> { response, token, at }.
// The next identical request takes the answer, once; a stale one (another token, older than EARLY_MS) is
// dropped and asked for again.
const boot = typeof window !== "undefined" ? window.nocodedbBoot : null;
const early = boot ? boot.early : new Map();
const EARLY_MS = 10000;

function takeEarly(path) {
  const found = early.get(path);
  if (!found) return null;
  early.delete(path);
  if (found.token !== session.access() || Date.now() - found.at > EARLY_MS) return null;
  return found.response;
}

function prefetch(path) {
  if (boot && !boot.done) { boot.settled.then(() => prefetch(path)); return; } // the boot script may ask for it
  if (!session.access() || early.has(path)) return;
  const response = fetch(path, { headers: { Accept: "application/json", Authorization: `JWT ${session.access()}` } });
  response.catch(() => {}); // whoever takes it sees the failure and asks again
  early.set(path, { response, token: session.access(), at: Date.now() });
}

// --- live updates, footer totals, group-by (grid live feature) ---
// This tab's id: sent with every write so that the live socket of this tab gets no echo of it.
export const clientId = (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9-]/g, "");
const tokenListeners = new Set();
// Called with each refreshed access token (the live socket re-authenticates with it).
export const onAccessToken = (f) => { tokenListeners.add(f); return () => tokenListeners.delete(f); };
// --- end live updates block ---

async function refreshAccess() {
  const refresh = session.refreshToken();
  if (!refresh) return false;
  if (!refreshing) {
    // The refresh the boot script started as the page opened, if still unused: not two refreshes at once.
    const started = boot && boot.takeRefresh();
    refreshing = (started || raw("POST", "/api/user/token-refresh/", { refresh_token: refresh }, false))
      // The answer names the user too: no /api/user/me/ call needed for it.
      .then((body) => { session.setAccess(body.access_token); if (body.user && !session.user()) session.setUser(body.user); tokenListeners.forEach((f) => f(body.access_token)); return true; })
      .catch(() => { session.clear(); return false; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

// --- undo and redo (server side, docs/undo.md) ---
// Writes carry the tab's id as ClientSessionId (the server records them for this tab's undo), and the id
// of the user action they belong to when one action takes several requests (a paste).
export const newActionGroup = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replace(/[^A-Za-z0-9-]/g, "").slice(0, 64);
// --- end undo and redo block ---

async function raw(method, path, body, auth = true, group = null) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && session.access()) headers.Authorization = `JWT ${session.access()}`;
  if (method !== "GET") headers["X-Client-Id"] = clientId; // live updates: no echo of this tab's own writes
  if (method !== "GET" && auth) headers.ClientSessionId = clientId; // undo: this tab's actions
  if (group) headers.ClientUndoRedoActionGroupId = group; // undo: several requests, one action
  let response;
  try {
    // An answer already asked for (the boot script, prefetchRows) with this very token, taken once; while
    // the boot script still waits for the views list, a GET waits for it rather than asking twice.
    let ahead = method === "GET" && auth ? takeEarly(path) : null;
    if (!ahead && method === "GET" && auth && boot && !boot.done) { await boot.settled; ahead = takeEarly(path); }
    response = ahead ? await ahead.catch(() => null) : null;
    if (!response) response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, "ERROR_NETWORK", String(e));
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    throw new ApiError(response.status, data && data.error, data && data.detail);
  }
  return data;
}

// Opening the page with only a refresh token: get an access token first (one call, not a 401 round trip).
export const resumeSession = () => refreshAccess();

export async function request(method, path, body, group = null) {
  const signedIn = session.signedIn();
  try {
    return await raw(method, path, body, true, group);
  } catch (e) {
    if (e.status === 401 && session.refreshToken() && (await refreshAccess())) {
      return raw(method, path, body, true, group);
    }
    // Only a session that was open when the call started can have expired (not one signed out since).
    if (e.status === 401 && signedIn && session.signedIn()) session.expired();
    throw e;
  }
}

const qs = (params) => {
  const parts = [];
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === "") continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
};

export const api = {
  // accounts
  signUp: (name, email, password, language) =>
    raw("POST", "/api/user/", { name, email, password, language }, false),
  signIn: (email, password) => raw("POST", "/api/user/token-auth/", { email, password }, false),
  me: () => request("GET", "/api/user/me/"),
  // structure
  workspaces: () => request("GET", "/api/workspaces/"),
  createWorkspace: (name) => request("POST", "/api/workspaces/", { name }),
  renameWorkspace: (id, name) => request("PATCH", `/api/workspaces/${id}/`, { name }),
  databases: (ws) => request("GET", `/api/applications/workspace/${ws}/`),
  createDatabase: (ws, name) => request("POST", `/api/applications/workspace/${ws}/`, { name, type: "database" }),
  renameDatabase: (id, name) => request("PATCH", `/api/applications/${id}/`, { name }),
  tables: (db) => request("GET", `/api/database/tables/database/${db}/`),
  table: (id) => request("GET", `/api/database/tables/${id}/`),
  createTable: (db, name, data) =>
    request("POST", `/api/database/tables/database/${db}/`, data ? { name, data, first_row_header: true } : { name }),
  renameTable: (id, name) => request("PATCH", `/api/database/tables/${id}/`, { name }),
  deleteTable: (id) => request("DELETE", `/api/database/tables/${id}/`),
  // fields
  fields: (t) => request("GET", `/api/database/fields/table/${t}/`),
  createField: (t, spec) => request("POST", `/api/database/fields/table/${t}/`, spec),
  updateField: (id, patch) => request("PATCH", `/api/database/fields/${id}/`, patch),
  deleteField: (id) => request("DELETE", `/api/database/fields/${id}/`),
  // rows
  rows: (t, params) => request("GET", `/api/database/rows/table/${t}/${qs(params)}`),
  // Starts the request api.rows(t, params) will make, so that its answer is on its way sooner.
  prefetchRows: (t, params) => prefetch(`/api/database/rows/table/${t}/${qs(params)}`),
  row: (t, id) => request("GET", `/api/database/rows/table/${t}/${id}/`),
  createRow: (t, values, before) => request("POST", `/api/database/rows/table/${t}/${qs({ before })}`, values || {}),
  updateRow: (t, id, values, group) => request("PATCH", `/api/database/rows/table/${t}/${id}/`, values, group),
  deleteRow: (t, id) => request("DELETE", `/api/database/rows/table/${t}/${id}/`),
  createRows: (t, items, group) => request("POST", `/api/database/rows/table/${t}/batch/`, { items }, group),
  updateRows: (t, items, group) => request("PATCH", `/api/database/rows/table/${t}/batch/`, { items }, group),
  deleteRows: (t, ids) => request("POST", `/api/database/rows/table/${t}/batch-delete/`, { items: ids }),
  // views (Baserow-compatible contract; being built on the backend)
  views: (t) => request("GET", `/api/database/views/table/${t}/`),
  createView: (t, spec) => request("POST", `/api/database/views/table/${t}/`, spec),
  updateView: (v, patch) => request("PATCH", `/api/database/views/${v}/`, patch),
  deleteView: (v) => request("DELETE", `/api/database/views/${v}/`),
  fieldAggregations: (v) => request("GET", `/api/database/views/grid/${v}/field-aggregations/`),
  // --- live updates, footer totals, group-by (grid live feature) ---
  presence: (t) => request("GET", `/api/database/live/presence/table/${t}/`),
  viewFieldOptions: (v) => request("GET", `/api/database/views/${v}/field-options/`),
  updateViewFieldOptions: (v, options) => request("PATCH", `/api/database/views/${v}/field-options/`, { field_options: options }),
  viewTotals: (v, params) => request("GET", `/api/database/views/grid/${v}/field-aggregations/${qs(params)}`),
  groupBys: (v) => request("GET", `/api/database/views/${v}/group_bys/`),
  addGroupBy: (v, field, order) => request("POST", `/api/database/views/${v}/group_bys/`, { field, order }),
  updateGroupBy: (id, patch) => request("PATCH", `/api/database/views/group_by/${id}/`, patch),
  deleteGroupBy: (id) => request("DELETE", `/api/database/views/group_by/${id}/`),
  // Only the group counts of a grid (one row is the least the endpoint lists).
  gridGroups: (v, params) => request("GET", `/api/database/views/grid/${v}/${qs({ ...params, size: 1 })}`),
  // --- end live updates block ---
  publicForm: (slug) => raw("GET", `/api/database/views/form/${slug}/submit/`, undefined, false),
  submitForm: (slug, values) => raw("POST", `/api/database/views/form/${slug}/submit/`, values, false),
  // --- formula editor and type-change preview ---
  checkFormula: (t, formula, name) => request("POST", `/api/database/formula/${t}/type/`, name ? { formula, name } : { formula }),
  formulaFunctions: () => request("GET", "/api/database/formula/functions/"),
  previewFieldChange: (id, patch) => request("POST", `/api/database/fields/${id}/type-change-preview/`, patch),
  // --- end formula editor block ---
  // --- undo and redo (server side) ---
  undo: (scopes) => request("POST", "/api/user/undo/", { scopes: { root: true, ...scopes } }),
  redo: (scopes) => request("POST", "/api/user/redo/", { scopes: { root: true, ...scopes } }),
  // --- end undo and redo block ---
  // --- view persistence: the grid's filters, sorts and field options are saved in the view ---
  database: (id) => request("GET", `/api/applications/${id}/`),
  viewWithItems: (v) => request("GET", `/api/database/views/${v}/?include=filters,sortings,group_bys,field_options`),
  addFilter: (v, spec) => request("POST", `/api/database/views/${v}/filters/`, spec),
  updateFilter: (id, patch) => request("PATCH", `/api/database/views/filter/${id}/`, patch),
  deleteFilter: (id) => request("DELETE", `/api/database/views/filter/${id}/`),
  addFilterGroup: (v, spec) => request("POST", `/api/database/views/${v}/filter-groups/`, spec),
  updateFilterGroup: (id, patch) => request("PATCH", `/api/database/views/filter-group/${id}/`, patch),
  deleteFilterGroup: (id) => request("DELETE", `/api/database/views/filter-group/${id}/`),
  addSort: (v, field, order) => request("POST", `/api/database/views/${v}/sortings/`, { field, order }),
  updateSort: (id, patch) => request("PATCH", `/api/database/views/sort/${id}/`, patch),
  deleteSort: (id) => request("DELETE", `/api/database/views/sort/${id}/`),
  // --- end view persistence block ---
};
