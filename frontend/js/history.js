// Undo/redo of the person's own last actions, done by inverse API calls.
// An action: {label, undo: async () => {}, redo: async () => {}}.
const undoStack = [];
const redoStack = [];
const LIMIT = 100;
const listeners = new Set();
let busy = false;

export function record(action) {
  undoStack.push(action);
  if (undoStack.length > LIMIT) undoStack.shift();
  redoStack.length = 0;
  listeners.forEach((f) => f());
}

async function move(from, to, kind) {
  if (busy || !from.length) return null;
  busy = true;
  const action = from.pop();
  try {
    if (action.pending && !(await action.pending)) return null; // refused: nothing to undo
    await action[kind]();
    to.push(action);
    return action;
  } catch (e) {
    from.push(action);
    throw e;
  } finally {
    busy = false;
    listeners.forEach((f) => f());
  }
}

// An action recorded before the server answered, then refused: forget it.
export function discard(action) {
  const i = undoStack.lastIndexOf(action);
  if (i >= 0) undoStack.splice(i, 1);
  listeners.forEach((f) => f());
}

export const undo = () => move(undoStack, redoStack, "undo");
export const redo = () => move(redoStack, undoStack, "redo");
export const canUndo = () => undoStack.length > 0;
export const canRedo = () => redoStack.length > 0;
export const clearHistory = () => { undoStack.length = 0; redoStack.length = 0; listeners.forEach((f) => f()); };
export const onHistory = (f) => { listeners.add(f); return () => listeners.delete(f); };
