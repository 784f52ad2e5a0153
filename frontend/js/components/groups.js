// Group-by in the grid: which display line (a group header or a row) sits at each position. The API's
// group_by_metadata lists the groups in the order of the rows with their counts, so every header can be
// placed without loading the rows: the layout stays a few segments long even for 100,000 rows, and the
// grid keeps drawing only the lines in view. A collapsed group hides its rows and sub-groups.

// The display of a view without group-by: line p is row p.
export function plainLayout(count) {
  return {
    grouped: false,
    size: count,
    itemAt: (p) => ({ kind: "row", r: p }),
    posOf: (r) => r,
    step: (r, d) => Math.max(0, Math.min(count - 1, r + d)),
    first: () => 0,
    last: () => count - 1,
  };
}

const keyOf = (values) => JSON.stringify(values);

// levels: the group-by fields, outermost first; metadata: the API's group_by_metadata; count: rows in the
// view; collapsed: a Set of group keys.
export function groupLayout(count, levels, metadata, collapsed) {
  const deepest = levels.length ? metadata[`field_${levels[levels.length - 1].id}`] || [] : [];
  const segments = [];
  let previous = null;
  let cursor = 0;
  const open = [];
  for (const entry of deepest) {
    const values = levels.map((f) => entry[`field_${f.id}`]);
    let from = 0;
    if (previous) while (from < levels.length && keyOf(values[from]) === keyOf(previous[from])) from++;
    open.length = from;
    for (let level = from; level < levels.length; level++) {
      const head = { kind: "header", level, field: levels[level], value: values[level], key: keyOf(values.slice(0, level + 1)), count: 0 };
      segments.push(head);
      open.push(head);
    }
    const n = Math.max(0, Math.min(Number(entry.count) || 0, count - cursor));
    open.forEach((head) => { head.count += n; });
    if (n) segments.push({ kind: "rows", start: cursor, length: n });
    cursor += n;
    previous = values;
  }
  // Rows the counts do not reach (more groups than the API lists, or rows added meanwhile): shown
  // after a header of their own so that nothing is lost.
  if (cursor < count) {
    segments.push({ kind: "header", level: 0, field: levels[0], rest: true, key: "__rest", count: count - cursor });
    segments.push({ kind: "rows", start: cursor, length: count - cursor });
  }

  // What is shown: headers always (unless inside a collapsed group), rows unless collapsed.
  const shown = [];
  let hiddenBelow = Infinity; // headers deeper than this level are inside a collapsed group
  let hideRows = false;
  for (const s of segments) {
    if (s.kind === "header") {
      if (s.level > hiddenBelow) continue;
      hiddenBelow = Infinity;
      hideRows = false;
      s.collapsed = collapsed.has(s.key);
      shown.push(s);
      if (s.collapsed) { hiddenBelow = s.level; hideRows = true; }
    } else if (!hideRows) {
      shown.push(s);
    }
  }
  const starts = [];
  let size = 0;
  for (const s of shown) { starts.push(size); size += s.kind === "header" ? 1 : s.length; }
  const rowSegs = shown.map((s, i) => ({ s, at: starts[i] })).filter((x) => x.s.kind === "rows");

  function segmentAt(p) {
    let lo = 0, hi = shown.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= p) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function itemAt(p) {
    const i = segmentAt(p);
    const s = shown[i];
    if (!s) return null;
    return s.kind === "header" ? s : { kind: "row", r: s.start + (p - starts[i]) };
  }
  function posOf(r) {
    let lo = 0, hi = rowSegs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const { s, at } = rowSegs[mid];
      if (r < s.start) hi = mid - 1;
      else if (r >= s.start + s.length) lo = mid + 1;
      else return at + (r - s.start);
    }
    return -1;
  }
  // The row d visible rows away from row r (headers and collapsed rows are skipped).
  function step(r, d) {
    if (!rowSegs.length) return 0;
    let p = posOf(r);
    if (p < 0) return first();
    p = Math.max(0, Math.min(size - 1, p + d));
    const dir = d < 0 ? -1 : 1;
    for (let q = p; q >= 0 && q < size; q += dir) { const it = itemAt(q); if (it.kind === "row") return it.r; }
    for (let q = p; q >= 0 && q < size; q -= dir) { const it = itemAt(q); if (it.kind === "row") return it.r; }
    return r;
  }
  const first = () => (rowSegs.length ? rowSegs[0].s.start : 0);
  const last = () => { const x = rowSegs[rowSegs.length - 1]; return x ? x.s.start + x.s.length - 1 : 0; };
  return { grouped: true, size, itemAt, posOf, step, first, last, headers: shown.filter((s) => s.kind === "header") };
}
