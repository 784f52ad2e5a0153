// Live updates: one WebSocket per browser tab (/ws/, protocol in docs/live-updates.md). Pages subscribe
// to the tables they show and get the ids of what others changed, plus who else is looking. The socket
// reconnects with a growing delay after a drop, and re-authenticates whenever the access token changes,
// so that the server does not close it when the 10-minute token runs out.
import { session } from "./session.js";
import { clientId, onAccessToken, resumeSession } from "./api.js";

const BACKOFF_FIRST = 500;
const BACKOFF_MAX = 30000;
// Refresh the access token this long before it expires (the socket ends with it otherwise).
const REFRESH_AHEAD = 60000;
const PING_EVERY = 25000;
const CLOSE_UNAUTHORIZED = 4401;

let ws = null;
let open = false;
let delay = BACKOFF_FIRST;
let retryTimer = null;
let refreshTimer = null;
let pingTimer = null;
let everConnected = false;
let selfId = null;
// table id -> Set of handlers {onEvent, onPresence, onResync, onStatus}
const watchers = new Map();
const statusListeners = new Set();

function send(message) {
  if (ws && open) ws.send(JSON.stringify(message));
}

function setStatus(state) { statusListeners.forEach((f) => f(state)); }

function tokenExpiry(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof payload.exp === "number" ? payload.exp * 1000 : null;
  } catch { return null; }
}

function planRefresh() {
  clearTimeout(refreshTimer);
  const exp = tokenExpiry(session.access() || "");
  if (!exp || !watchers.size) return;
  const wait = Math.max(1000, exp - Date.now() - REFRESH_AHEAD);
  // resumeSession refreshes the token; onAccessToken below then sends it to the socket.
  refreshTimer = setTimeout(() => { resumeSession(); }, wait);
}

function connect() {
  clearTimeout(retryTimer);
  if (ws || !watchers.size || !session.access()) return;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${proto}//${location.host}/ws/?client_id=${encodeURIComponent(clientId)}`);
  ws = socket;
  socket.addEventListener("open", () => {
    if (ws !== socket) return;
    open = true;
    // The token goes in the first message rather than the URL, which may end up in logs.
    socket.send(JSON.stringify({ type: "auth", jwt: session.access() }));
  });
  socket.addEventListener("message", (e) => { if (ws === socket) receive(e.data); });
  socket.addEventListener("close", (e) => { if (ws === socket) dropped(e.code); });
}

function receive(raw) {
  let m;
  try { m = JSON.parse(raw); } catch { return; }
  if (!m || typeof m !== "object") return;
  if (m.type === "authenticated") {
    // A fresh token sent on an open socket is answered "authenticated" again: nothing else to do.
    if (ws.authed) { planRefresh(); return; }
    ws.authed = true;
    selfId = m.user_id;
    const reconnect = everConnected;
    everConnected = true;
    delay = BACKOFF_FIRST;
    for (const id of watchers.keys()) send({ type: "subscribe", table_id: id });
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: "ping" }), PING_EVERY);
    planRefresh();
    setStatus("online");
    // Changes made while the socket was down were never sent: every page fetches again.
    if (reconnect) each(null, (w) => w.onResync && w.onResync());
    return;
  }
  if (m.type === "resync") { each(null, (w) => w.onResync && w.onResync()); return; }
  if (m.type === "presence") { each(m.table_id, (w) => w.onPresence && w.onPresence(m.users || [])); return; }
  if (m.type === "error") {
    if (m.error === "ERROR_INVALID_ACCESS_TOKEN" || m.error === "ERROR_NOT_AUTHENTICATED") return; // the close follows
    if (m.table_id !== undefined) each(m.table_id, (w) => w.onStatus && w.onStatus("refused", m));
    return;
  }
  if (typeof m.type === "string" && (m.type.startsWith("rows.") || m.type.startsWith("field") || m.type.startsWith("view"))) {
    each(m.table_id, (w) => w.onEvent && w.onEvent(m));
  }
}

function each(tableId, f) {
  for (const [id, set] of watchers) if (tableId === null || id === tableId) for (const w of [...set]) f(w);
}

async function dropped(code) {
  ws = null; open = false;
  clearInterval(pingTimer);
  if (!watchers.size) return;
  setStatus("offline");
  if (code === CLOSE_UNAUTHORIZED) {
    // The token ran out or was refused: get a fresh one before trying again; no session, no socket.
    const ok = await resumeSession();
    if (!ok) return;
  }
  retryTimer = setTimeout(connect, delay * (0.8 + Math.random() * 0.4));
  delay = Math.min(BACKOFF_MAX, delay * 2);
}

// A token refreshed by any API call (or by planRefresh) extends the socket's session.
onAccessToken((token) => {
  if (ws && open && token) send({ type: "auth", jwt: token });
  planRefresh();
  if (!ws && watchers.size) connect();
});

window.addEventListener("online", () => { if (!ws && watchers.size) { delay = BACKOFF_FIRST; connect(); } });

// Watch a table: handlers {onEvent(message), onPresence(users), onResync(), onStatus(state)}.
// Returns the function that stops watching.
export function watchTable(tableId, handlers) {
  let set = watchers.get(tableId);
  const first = !set;
  if (!set) { set = new Set(); watchers.set(tableId, set); }
  set.add(handlers);
  if (ws && open && first) send({ type: "subscribe", table_id: tableId });
  connect();
  return () => {
    set.delete(handlers);
    if (set.size) return;
    watchers.delete(tableId);
    send({ type: "unsubscribe", table_id: tableId });
    if (!watchers.size) stop();
  };
}

export function onLiveStatus(f) { statusListeners.add(f); return () => statusListeners.delete(f); }
export const isLive = () => open;
// The signed-in user as the socket knows it (presence lists everyone, this tab's user included).
export const liveUserId = () => selfId;

function stop() {
  clearTimeout(retryTimer); clearTimeout(refreshTimer); clearInterval(pingTimer);
  const socket = ws;
  ws = null; open = false; everConnected = false; delay = BACKOFF_FIRST;
  if (socket) socket.close(1000);
}

// Signing out ends the socket with the session.
session.on((what) => { if (what !== "in") { watchers.clear(); stop(); } });
