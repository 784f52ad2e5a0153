// Rows deleted then restored by undo come back with new ids; older undo steps still name the old
// ones. This map follows the chain so every step reaches the row as it is now.
export function idMap() {
  const next = new Map();
  const resolve = (id) => { let cur = id; const seen = new Set(); while (next.has(cur) && !seen.has(cur)) { seen.add(cur); cur = next.get(cur); } return cur; };
  return {
    resolve,
    link: (oldId, newId) => { if (oldId !== newId) next.set(oldId, newId); },
    remap: (item) => ({ ...item, id: resolve(item.id) }),
  };
}
