// Undo/redo of the person's own last actions, done by the server (POST /api/user/undo/ and /redo/,
// docs/undo.md). The stack lives there: every write of this tab carries its ClientSessionId (api.js), and
// the server undoes the tab's latest action in the page's scopes (table and view), a paste in several
// requests as one action. Here: the scopes, the writes still on their way (an undo waits for them, so
// Ctrl+Z right after an edit undoes that edit), whether the buttons may be used, and the toast's label.
import { api } from "./api.js";
import { t, errorMessage } from "./i18n.js";
import { toast } from "./components/toast.js";

const listeners = new Set();
const pending = new Set();
let scopes = {};
let refresh = null;
let busy = false;
// Only hints for the buttons: the server knows. Undo is worth trying until it says there is nothing.
let mayUndo = true;
let mayRedo = false;
const notify = () => listeners.forEach((f) => f());

// The page says what Ctrl+Z reaches ({table, view}, or a function giving them at the time) and how to
// show what the server changed.
export function setScope(next, onChanged) { scopes = next; refresh = onChanged; }

// A write was made (or is on its way): {label, pending?: Promise<boolean>}.
export function record(action) {
  const waiting = action && action.pending;
  if (waiting) { pending.add(waiting); waiting.finally(() => pending.delete(waiting)); }
  mayUndo = true;
  mayRedo = false;
  notify();
}

// A write recorded before the server answered, then refused: it left nothing to undo.
export function discard() { notify(); }

// The toast's words for what was undone, from the server's actions (one user action, maybe several).
export function describe(actions) {
  if (!actions || !actions.length) return "";
  const main = actions.find((a) => a.action_type === "update_rows") || actions[0];
  const count = actions.filter((a) => a.action_type === main.action_type).reduce((n, a) => n + (a.count || 1), 0);
  return t(`undo.type.${main.action_type}`, { count });
}

async function move(kind) {
  if (busy) return null;
  busy = true;
  try {
    await Promise.all([...pending]);
    const now = typeof scopes === "function" ? scopes() : scopes;
    const result = await (kind === "undo" ? api.undo(now) : api.redo(now));
    if (result.result_code === "NOTHING_TO_DO") {
      if (kind === "undo") mayUndo = false; else mayRedo = false;
      return null;
    }
    if (refresh) await refresh(result.actions);
    if (result.result_code === "SKIPPED") {
      // The action can never be applied (a row deleted for good, a role lost): the server forgot it.
      return { label: describe(result.actions), skipped: errorMessage({ code: result.error, detail: result.detail }) };
    }
    if (kind === "undo") mayRedo = true; else mayUndo = true;
    return { label: describe(result.actions) };
  } finally {
    busy = false;
    notify();
  }
}

// Ctrl+Z, Ctrl+Shift+Z, the toolbar's buttons and a toast's "Annuler": do it and say what was done.
export async function undoAndTell(kind = "undo") {
  try {
    const done = await move(kind);
    if (!done) return null;
    if (done.skipped !== undefined) toast(t("undo.skipped", { label: done.label, detail: done.skipped }), { kind: "error" });
    else toast(t(kind === "undo" ? "undo.done" : "undo.redone", { label: done.label }));
    return done;
  } catch (e) {
    toast(errorMessage(e), { kind: "error" });
    return null;
  }
}

export const undo = () => move("undo");
export const redo = () => move("redo");
export const canUndo = () => mayUndo;
export const canRedo = () => mayRedo;
export const clearHistory = () => { mayUndo = true; mayRedo = false; notify(); };
export const onHistory = (f) => { listeners.add(f); return () => listeners.delete(f); };
