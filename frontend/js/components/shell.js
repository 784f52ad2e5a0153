// The signed-in screen: a header (language, theme, sign out), a sidebar with workspaces, databases
// and tables (create, rename), and the main area where a page is shown.
import { h, clear } from "../dom.js";
import { api } from "../api.js";
import { session } from "../session.js";
import { t, errorMessage, setLang, currentLang, languages } from "../i18n.js";
import { go, href } from "../router.js";
import { toast } from "./toast.js";
import { promptDialog } from "./dialog.js";
import { emptyState } from "./emptyState.js";
import { tablePage } from "./tablePage.js";
import { themeToggle } from "./theme.js";

const LAST_WS = "nocodedb.workspace";
const state = { workspaces: [], ws: null, databases: [] };

export function shell(route) {
  const nav = h("nav", { class: "sidebar", "aria-label": t("nav.label") });
  const content = h("main", { class: "content", id: "main", tabindex: "-1" });
  const menuBtn = h("button", { type: "button", class: "icon menu-toggle", "aria-label": t("nav.toggle"), "aria-expanded": "false",
    onclick: () => { const open = root.classList.toggle("nav-open"); menuBtn.setAttribute("aria-expanded", String(open)); } }, "☰");
  const langSel = h("select", { "aria-label": t("lang.label"), onchange: () => setLang(langSel.value) },
    languages().map((l) => h("option", { value: l, selected: l === currentLang() }, t(`lang.${l}`))));
  const header = h("header", { class: "topbar" },
    menuBtn,
    h("a", { class: "brand", href: "#/" }, "nocodedb"),
    h("span", { class: "spacer" }),
    langSel, themeToggle(),
    h("span", { class: "user-name" }, session.user() ? session.user().first_name || session.user().name || session.user().username || "" : ""),
    h("button", { type: "button", class: "quiet", onclick: () => { session.signOut(); } }, t("auth.logout")));
  const root = h("div", { class: "shell" }, h("a", { class: "skip", href: "#main", onclick: (e) => { e.preventDefault(); content.focus(); } }, t("nav.skip")), header, h("div", { class: "body" }, nav, content));

  let current = null;
  async function load(wsId) {
    state.workspaces = await api.workspaces();
    const wanted = wsId || Number(localStorage.getItem(LAST_WS));
    state.ws = state.workspaces.find((w) => w.id === wanted) || state.workspaces[0] || null;
    if (state.ws) localStorage.setItem(LAST_WS, state.ws.id);
    state.databases = state.ws ? await api.databases(state.ws.id) : [];
  }

  function drawNav(activeTable) {
    clear(nav);
    const wsSel = h("select", { id: "ws-select", "aria-label": t("ws.label"), onchange: async () => { await load(Number(wsSel.value)); drawNav(); go("/"); } },
      state.workspaces.map((w) => h("option", { value: w.id, selected: state.ws && w.id === state.ws.id }, w.name)));
    nav.append(h("div", { class: "nav-ws" },
      h("label", { class: "sr-only", for: "ws-select" }, t("ws.label")),
      state.workspaces.length ? wsSel : null,
      state.ws ? h("button", { type: "button", class: "icon", "aria-label": t("ws.rename"), title: t("ws.rename"), onclick: renameWorkspace }, "✎") : null,
      h("button", { type: "button", class: "icon", "aria-label": t("ws.create"), title: t("ws.create"), onclick: createWorkspace }, "+")));
    const list = h("ul", { class: "nav-dbs" });
    for (const db of state.databases) {
      list.append(h("li", {},
        h("div", { class: "nav-db" },
          h("span", { class: "db-name" }, db.name),
          h("button", { type: "button", class: "icon small", "aria-label": t("db.renameNamed", { name: db.name }), title: t("db.rename"), onclick: () => renameDatabase(db) }, "✎"),
          h("button", { type: "button", class: "icon small", "aria-label": t("table.createIn", { name: db.name }), title: t("table.create"), onclick: () => createTable(db) }, "+")),
        h("ul", { class: "nav-tables" }, db.tables.map((tb) => h("li", {},
          h("a", { href: href(`/t/${tb.id}`), "aria-current": tb.id === activeTable ? "page" : null }, tb.name))))));
    }
    nav.append(list);
    if (state.ws) nav.append(h("button", { type: "button", class: "quiet add-db", onclick: createDatabase }, `+ ${t("db.create")}`));
  }

  async function createWorkspace() {
    const name = await promptDialog({ title: t("ws.create"), label: t("common.name"), value: t("ws.defaultName"), confirm: t("common.create") });
    if (!name) return;
    try { const ws = await api.createWorkspace(name); await load(ws.id); toast(t("ws.created", { name })); drawNav(); go("/"); route && show({ parts: [] }); }
    catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }
  async function renameWorkspace() {
    const name = await promptDialog({ title: t("ws.rename"), label: t("common.name"), value: state.ws.name, confirm: t("common.rename") });
    if (!name) return;
    const old = state.ws.name; state.ws.name = name; drawNav();
    try { await api.renameWorkspace(state.ws.id, name); } catch (e) { state.ws.name = old; drawNav(); toast(errorMessage(e), { kind: "error" }); }
  }
  async function createDatabase() {
    const name = await promptDialog({ title: t("db.create"), label: t("common.name"), value: t("db.defaultName"), confirm: t("common.create") });
    if (!name) return;
    try { const db = await api.createDatabase(state.ws.id, name); state.databases.push(db); drawNav(); toast(t("db.created", { name })); show({ parts: [] }); }
    catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }
  async function renameDatabase(db) {
    const name = await promptDialog({ title: t("db.rename"), label: t("common.name"), value: db.name, confirm: t("common.rename") });
    if (!name) return;
    const old = db.name; db.name = name; drawNav(current);
    try { await api.renameDatabase(db.id, name); } catch (e) { db.name = old; drawNav(current); toast(errorMessage(e), { kind: "error" }); }
  }
  async function createTable(db) {
    const name = await promptDialog({ title: t("table.create"), label: t("common.name"), value: t("table.defaultName"), confirm: t("common.create") });
    if (!name) return;
    try {
      const tb = await api.createTable(db.id, name);
      db.tables.push({ id: tb.id, name: tb.name, database_id: db.id });
      drawNav(tb.id);
      toast(t("table.created", { name }));
      go(`/t/${tb.id}`);
    } catch (e) { toast(errorMessage(e), { kind: "error" }); }
  }
  async function renameTable(id, name) {
    for (const db of state.databases) for (const tb of db.tables) if (tb.id === id) tb.name = name;
    drawNav(id);
  }

  let mounted = null;
  async function show(r) {
    const [kind, id] = r.parts;
    if (mounted && !(kind === "t" && mounted.tableId === Number(id))) {
      if (mounted.destroy) mounted.destroy();
      mounted = null;
    }
    root.classList.remove("nav-open");
    if (kind === "t" && id) {
      current = Number(id);
      // The table shows at once; the sidebar fills in when the workspaces are known.
      if (!mounted || mounted.tableId !== current) {
        mounted = tablePage({ tableId: current, table: null, database: null, onRenamed: renameTable, onDeleted: async () => { await load(state.ws && state.ws.id); drawNav(); go("/"); } });
        mounted.tableId = current;
        clear(content).append(mounted.el);
      }
      // The sidebar waits for the table's first rows (at most a second): they are what the person opened.
      const page = mounted;
      await page.afterFirstRows();
      await loaded();
      if (mounted !== page) return; // another page was opened meanwhile: it draws the sidebar
      let inWs = state.databases.some((db) => db.tables.some((tb) => tb.id === current));
      if (!inWs) {
        try {
          const tb = await api.table(current);
          const dbs = await Promise.all(state.workspaces.map((w) => api.databases(w.id).then((d) => ({ w, d }))));
          const hit = dbs.find(({ d }) => d.some((x) => x.id === tb.database_id));
          if (hit) { state.ws = hit.w; state.databases = hit.d; localStorage.setItem(LAST_WS, hit.w.id); }
        } catch (e) { clear(content).append(emptyState({ title: t("table.notFound"), text: errorMessage(e), actions: [{ label: t("nav.home"), run: () => go("/") }] })); drawNav(); return; }
      }
      drawNav(current);
      const db = state.databases.find((d) => d.tables.some((tb) => tb.id === current));
      if (db && mounted.setDatabase) mounted.setDatabase(db);
      return;
    }
    await loaded();
    current = null;
    drawNav();
    clear(content);
    if (!state.ws) {
      content.append(emptyState({ title: t("empty.noWorkspace.title"), text: t("empty.noWorkspace.text"), actions: [{ label: t("ws.create"), run: createWorkspace }] }));
    } else if (!state.databases.length) {
      content.append(emptyState({ title: t("empty.noDatabase.title"), text: t("empty.noDatabase.text"), actions: [{ label: t("db.create"), run: createDatabase }] }));
    } else {
      const first = state.databases.find((d) => d.tables.length);
      if (first) { go(`/t/${first.tables[0].id}`); return; }
      const db = state.databases[0];
      content.append(emptyState({ title: t("empty.noTable.title"), text: t("empty.noTable.text", { name: db.name }), actions: [
        { label: t("table.create"), run: () => createTable(db) },
        { label: t("table.import"), run: () => importTable(db) },
      ] }));
    }
  }

  async function importTable(db) {
    const input = h("input", { type: "file", accept: ".csv,.tsv,.txt,text/csv", style: { display: "none" } });
    document.body.append(input);
    input.addEventListener("change", async () => {
      const file = input.files[0]; input.remove();
      if (!file) return;
      const text = await file.text();
      const sep = text.split("\n")[0].includes("\t") ? "\t" : text.split("\n")[0].includes(";") ? ";" : ",";
      const data = parseDelimited(text, sep).filter((r) => r.some((c) => c !== ""));
      try {
        const tb = await api.createTable(db.id, file.name.replace(/\.[^.]+$/, ""), data);
        db.tables.push({ id: tb.id, name: tb.name, database_id: db.id });
        toast(t("table.imported", { name: tb.name, count: Math.max(0, data.length - 1) }));
        go(`/t/${tb.id}`);
      } catch (e) { toast(errorMessage(e), { kind: "error" }); }
    });
    input.click();
  }

  // The first load of the sidebar, started by the first page that needs it.
  let ready = null;
  const loaded = () => ready || (ready = load(Number(route.params.ws) || null).catch((e) => { toast(errorMessage(e), { kind: "error" }); }));
  return {
    el: root,
    async route(r) { await show(r); },
    destroy() { if (mounted && mounted.destroy) mounted.destroy(); },
  };
}

export function parseDelimited(text, sep = "\t") {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === sep) { row.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
