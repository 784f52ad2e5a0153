// The rows of one table for the current filters/sorts/search, fetched in pages of 200 as they are
// needed. A sparse array indexed by position holds what is loaded; structural changes (insert,
// delete) are applied locally at once and the pages in view are fetched again afterwards.
import { api } from "./api.js";

export const PAGE = 200;

export function rowStore(tableId, query, onChange, onError) {
  let rows = [];
  let count = null;
  const fetched = new Set();
  const inflight = new Map();
  let generation = 0;

  async function fetchPage(p) {
    if (fetched.has(p) || inflight.has(p)) return inflight.get(p);
    const gen = generation;
    const promise = api.rows(tableId, { ...query, page: p + 1, size: PAGE })
      .then((res) => {
        if (gen !== generation) return;
        if (count !== res.count) { count = res.count; rows.length = count; }
        res.results.forEach((r, i) => { rows[p * PAGE + i] = r; });
        fetched.add(p);
        onChange();
      })
      .catch((e) => { if (gen === generation) onError(e); })
      .finally(() => inflight.delete(p));
    inflight.set(p, promise);
    return promise;
  }

  return {
    count: () => count,
    get: (i) => rows[i],
    indexOf: (id) => rows.findIndex((r) => r && r.id === id),
    findById: (id) => rows.find((r) => r && r.id === id),
    // Whether row i comes from a fetch made after the last stale(): live updates wait for it before
    // putting the selection back on the row it was on.
    fresh: (i) => fetched.has(Math.floor(i / PAGE)) && rows[i] !== undefined,
    async ensure(from, to) {
      const first = Math.max(0, Math.floor(from / PAGE));
      const last = Math.max(first, Math.floor(Math.max(0, to) / PAGE));
      const waits = [];
      for (let p = first; p <= last; p++) if (count === null || p * PAGE < count || p === 0) waits.push(fetchPage(p));
      await Promise.all(waits);
    },
    replace(row) {
      const i = rows.findIndex((r) => r && r.id === row.id);
      if (i >= 0) rows[i] = row;
      onChange();
    },
    patchLocal(id, values) {
      const i = rows.findIndex((r) => r && r.id === id);
      if (i >= 0) rows[i] = { ...rows[i], ...values };
      onChange();
    },
    insertAt(i, row) {
      rows.splice(i, 0, row);
      count = (count || 0) + 1;
      onChange();
    },
    removeIds(ids) {
      const set = new Set(ids);
      const removed = [];
      for (let i = rows.length - 1; i >= 0; i--) {
        if (rows[i] && set.has(rows[i].id)) { removed.unshift({ index: i, row: rows[i] }); rows.splice(i, 1); }
      }
      count = Math.max(0, (count || 0) - removed.length);
      onChange();
      return removed;
    },
    reset() { generation++; rows = []; count = null; fetched.clear(); inflight.clear(); },
    // After the server confirmed a structural change: fetch the pages in view again, showing the
    // rows already there meanwhile.
    stale() { fetched.clear(); onChange(); },
  };
}
