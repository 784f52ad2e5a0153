// Footer totals of a grid view: one chooser per column, always visible under the grid. The choice is
// saved in the view's field options (aggregation_raw_type); the values come from the view's
// field-aggregations endpoint under the same filters and search as the rows shown.
import { h } from "../dom.js";
import { api } from "../api.js";
import { t, errorMessage, locale } from "../i18n.js";
import { showMenu } from "./menu.js";
import { toast } from "./toast.js";
import { formatDate } from "../cells/date.js";

const GENERIC = ["count", "empty_count", "not_empty_count", "empty_percentage", "not_empty_percentage", "unique_count"];
const NUMBER = ["sum", "average", "median", "min", "max", "std_dev", "variance"];
const DATE = ["earliest_date", "latest_date"];
const BOOLEAN = ["checked_count", "not_checked_count", "checked_percentage", "not_checked_percentage"];
const NUMBER_TYPES = new Set(["number", "rating", "autonumber", "duration", "count", "rollup"]);
const DATE_TYPES = new Set(["date", "created_on", "last_modified"]);
const PERCENT = new Set(["empty_percentage", "not_empty_percentage", "checked_percentage", "not_checked_percentage"]);
const REFRESH_DELAY = 300;

// What the server compares the field as (its FieldType.compare_as; a formula's follows its result).
function compareAs(f) {
  if (f.type === "formula") {
    const r = f.formula_type;
    return r === "number" ? "number" : r === "boolean" ? "boolean" : r === "date" || r === "datetime" ? "date" : "text";
  }
  if (NUMBER_TYPES.has(f.type)) return "number";
  if (DATE_TYPES.has(f.type)) return "date";
  if (f.type === "boolean") return "boolean";
  return "text";
}

// The totals that apply to a field, in the order the chooser lists them.
export function aggregationsFor(f) {
  const kind = compareAs(f);
  return [...GENERIC, ...(kind === "number" ? NUMBER : kind === "date" ? DATE : kind === "boolean" ? BOOLEAN : [])];
}

function formatValue(name, value, f) {
  if (value === null || value === undefined) return "—";
  if (PERCENT.has(name)) return `${Number(value).toLocaleString(locale(), { maximumFractionDigits: 1 })} %`;
  if (DATE.includes(name)) return formatDate(value, f) || String(value);
  if (["sum", "min", "max"].includes(name) && f.type === "number") {
    const d = f.number_decimal_places || 0;
    return Number(value).toLocaleString(locale(), { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  const n = Number(value);
  return Number.isNaN(n) ? String(value) : n.toLocaleString(locale(), { maximumFractionDigits: 2 });
}

// viewId: the grid view; cols(): the columns shown; query(): {filters, search} of the rows shown.
export function totalsRow({ viewId, cols, query }) {
  const row = h("div", { class: "grid-row foot", role: "row", "aria-label": t("totals.label") });
  const el = h("div", { class: "grid-foot", role: "rowgroup" }, row);
  let options = {};
  let values = {};
  let timer = null;
  let generation = 0;

  function draw() {
    const list = cols();
    row.replaceChildren(h("div", { class: "gutter", role: "rowheader", "aria-colindex": "1", title: t("totals.label") }, "Σ"));
    list.forEach((f, i) => {
      const chosen = (options[String(f.id)] || {}).aggregation_raw_type || "";
      const valid = chosen && aggregationsFor(f).includes(chosen);
      const label = valid ? t(`totals.${chosen}`) : t("totals.choose");
      const shown = valid ? formatValue(chosen, values[`field_${f.id}`], f) : "";
      const btn = h("button", { type: "button", class: `total-btn${valid ? " on" : ""}`, "aria-haspopup": "menu",
        "aria-label": valid ? t("totals.value", { field: f.name, total: label, value: shown }) : t("totals.chooseFor", { field: f.name }),
        onclick: (e) => choose(f, e.currentTarget) },
      h("span", { class: "total-name" }, label), valid ? h("span", { class: "total-value" }, shown) : null);
      row.append(h("div", { class: `cell total${f.primary ? " frozen" : ""}`, role: "gridcell", "aria-colindex": String(i + 2) }, btn));
    });
    row.append(h("div", { class: "cell filler", role: "presentation" }));
  }

  function choose(f, anchor) {
    const current = (options[String(f.id)] || {}).aggregation_raw_type || "";
    const pick = (name) => async () => {
      const before = options[String(f.id)] || {};
      options = { ...options, [String(f.id)]: { ...before, aggregation_raw_type: name } };
      draw();
      try {
        const saved = await api.updateViewFieldOptions(viewId, { [f.id]: { aggregation_raw_type: name } });
        options = saved.field_options || options;
        await load();
        const again = row.querySelector(`.cell.total[aria-colindex="${cols().indexOf(f) + 2}"] button`);
        if (again) again.focus();
      } catch (e) {
        options = { ...options, [String(f.id)]: before };
        draw();
        toast(errorMessage(e), { kind: "error" });
      }
    };
    showMenu({ anchor, label: t("totals.chooseFor", { field: f.name }), items: [
      { label: `${current === "" ? "✓ " : ""}${t("totals.none")}`, run: pick("") },
      "-",
      ...aggregationsFor(f).map((name) => ({ label: `${current === name ? "✓ " : ""}${t(`totals.${name}`)}`, run: pick(name) })),
    ] });
  }

  async function load() {
    const gen = ++generation;
    try {
      const q = query();
      const [opts, vals] = await Promise.all([
        Object.keys(options).length ? Promise.resolve({ field_options: options }) : api.viewFieldOptions(viewId),
        api.viewTotals(viewId, { filters: q.filters, search: q.search }),
      ]);
      if (gen !== generation) return;
      options = opts.field_options || {};
      values = vals || {};
      draw();
    } catch (e) {
      if (gen === generation) { draw(); toast(errorMessage(e), { kind: "error" }); }
    }
  }

  draw();
  load();
  return {
    el,
    draw,
    // After edits and live changes: one fetch for a burst of them.
    refresh() { clearTimeout(timer); timer = setTimeout(load, REFRESH_DELAY); },
    // Columns changed (a field added or removed, options of the view changed elsewhere).
    reload() { options = {}; load(); },
    destroy() { clearTimeout(timer); generation++; },
  };
}
