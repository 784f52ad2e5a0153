// A searchable list to choose one or several items (select options, linked rows).
// load(query) -> Promise<[{id, label, color?}]>. Single: picking commits. Multiple: picking toggles,
// Enter on the search box or "OK" commits.
import { h, newId } from "../dom.js";
import { t } from "../i18n.js";

export function picker({ label, load, selected = [], multiple = false, onDone, onCancel, renderItem }) {
  const chosen = new Map(selected.map((s) => [s.id, s]));
  const listId = newId("list");
  const search = h("input", { type: "search", class: "picker-search", placeholder: t("picker.search"), "aria-label": t("picker.searchIn", { name: label }),
    role: "combobox", "aria-expanded": "true", "aria-controls": listId, "aria-autocomplete": "list" });
  const list = h("ul", { class: "picker-list", role: "listbox", id: listId, "aria-label": label, "aria-multiselectable": multiple ? "true" : null });
  const chips = h("div", { class: "chips picker-chosen" });
  let items = [];
  let active = 0;
  let finished = false;
  const done = (value) => { if (finished) return; finished = true; onDone(value); };
  const cancel = () => { if (finished) return; finished = true; onCancel(); };

  function drawChosen() {
    if (!multiple) return;
    chips.replaceChildren(...[...chosen.values()].map((c) => h("span", { class: `chip color-${c.color || "neutral"}` }, c.label,
      h("button", { type: "button", class: "chip-x", "aria-label": t("picker.remove", { name: c.label }), onmousedown: (e) => e.preventDefault(), onclick: () => { chosen.delete(c.id); drawChosen(); draw(); } }, "×"))));
  }
  function draw() {
    list.replaceChildren(...items.map((it, i) => {
      const on = chosen.has(it.id);
      return h("li", { role: "option", id: `${listId}-${i}`, "aria-selected": String(on), class: `${i === active ? "active" : ""}${on ? " on" : ""}`,
        onmousedown: (e) => e.preventDefault(), onclick: () => pick(it) },
      multiple ? h("span", { class: "tick", "aria-hidden": "true" }, on ? "✓" : "") : null,
      renderItem ? renderItem(it) : h("span", { class: `chip color-${it.color || "neutral"}` }, it.label));
    }));
    if (!items.length) list.append(h("li", { class: "empty", role: "presentation" }, t("picker.none")));
    search.setAttribute("aria-activedescendant", items.length ? `${listId}-${active}` : "");
    list.children[active]?.scrollIntoView?.({ block: "nearest" });
  }
  function pick(it) {
    if (!multiple) { done([it]); return; }
    if (chosen.has(it.id)) chosen.delete(it.id); else chosen.set(it.id, it);
    drawChosen(); draw();
  }
  let seq = 0;
  async function refresh() {
    const mine = ++seq;
    const found = await load(search.value.trim());
    if (mine !== seq) return;
    items = found; active = 0; draw();
  }
  search.addEventListener("input", refresh);
  search.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); draw(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); draw(); e.preventDefault(); }
    else if (e.key === "Enter") {
      e.preventDefault();
      // Multiple: Enter on an empty search (or Ctrl+Enter) validates; otherwise it toggles the active item.
      if (multiple && (!search.value || e.ctrlKey || e.metaKey)) { done([...chosen.values()]); return; }
      if (items[active]) pick(items[active]);
      if (multiple && search.value) { search.value = ""; refresh(); }
    } else if (e.key === "Escape") { e.preventDefault(); cancel(); }
    else if (e.key === "Tab") { e.preventDefault(); if (multiple) done([...chosen.values()]); else cancel(); }
  });
  const wrap = h("div", { class: "picker" }, chips, search, list,
    multiple ? h("div", { class: "picker-foot" },
      h("button", { type: "button", class: "primary", onmousedown: (e) => e.preventDefault(), onclick: () => done([...chosen.values()]) }, t("common.ok"))) : null);
  wrap.addEventListener("focusout", (e) => { if (!wrap.contains(e.relatedTarget) && wrap.isConnected) { if (multiple) done([...chosen.values()]); else cancel(); } });
  drawChosen();
  refresh();
  queueMicrotask(() => search.focus());
  return wrap;
}
