// Hash routing: #/path?key=value. Everything about the view (table, view, filters, sorts, search,
// scroll anchor, open row) lives in the URL, so a link reopens the same screen.
const listeners = new Set();

export function parse(hash = location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  const params = Object.fromEntries(new URLSearchParams(query));
  return { path, parts: path.split("/").filter(Boolean), params };
}

export function href(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

export function go(path, params) { location.hash = href(path, params); }

// Change query params without a new navigation event being acted upon (replaceState).
export function patchParams(changes) {
  const cur = parse();
  const params = { ...cur.params, ...changes };
  for (const k of Object.keys(params)) if (params[k] === undefined || params[k] === null || params[k] === "") delete params[k];
  history.replaceState(null, "", href(cur.path, params));
}

export function onRoute(f) { listeners.add(f); }
window.addEventListener("hashchange", () => { const r = parse(); listeners.forEach((f) => f(r)); });
