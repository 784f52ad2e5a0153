// Entry point: picks the page for the URL, keeps the session, re-renders on language change.
import { clear } from "./dom.js";
import { session } from "./session.js";
import { api, resumeSession } from "./api.js";
import { t, onLangChange, currentLang } from "./i18n.js";
import { parse, go, onRoute } from "./router.js";
import { shell } from "./components/shell.js";
import { toastRegion, toast } from "./components/toast.js";
import { applyTheme } from "./components/theme.js";

const app = document.getElementById("app");
const toasts = toastRegion();
let mounted = null;

async function resume() {
  if (session.access() || !session.refreshToken()) return;
  if (!(await resumeSession())) session.clear();
}

async function render(route) {
  document.documentElement.lang = currentLang();
  const [first] = route.parts;
  if (first === "form") {
    if (mounted && mounted.destroy) mounted.destroy();
    mounted = null;
    // Loaded only here: the signed-in pages never need it (index.html preloads what they do).
    const { publicFormPage } = await import("./components/publicForm.js");
    clear(app).append(publicFormPage(route.parts), toasts);
    return;
  }
  await resume();
  if (!session.signedIn()) {
    if (mounted && mounted.destroy) mounted.destroy();
    mounted = null;
    const mode = first === "signup" ? "signup" : "login";
    const { authPage } = await import("./components/auth.js");
    clear(app).append(authPage(mode), toasts);
    document.title = `${t(mode === "signup" ? "auth.signup.title" : "auth.login.title")} · nocodedb`;
    return;
  }
  if (first === "login" || first === "signup") { go("/"); return; }
  if (!session.user()) api.me().then((u) => { session.setUser(u); document.querySelectorAll(".user-name").forEach((el) => { el.textContent = u.first_name || u.name || ""; }); }).catch(() => {});
  if (!mounted) {
    mounted = shell(route);
    clear(app).append(mounted.el, toasts);
  }
  document.title = "nocodedb";
  await mounted.route(route);
}

// Renders run one after another, always for the latest URL.
let queue = Promise.resolve();
const rerender = () => { queue = queue.then(() => render(parse())).catch((e) => console.error(e)); };

onRoute(rerender);
session.on((what) => {
  if (mounted && mounted.destroy) mounted.destroy();
  mounted = null;
  if (what === "expired") toast(t("auth.expired"), { kind: "error" });
  if (what !== "in" && parse().parts[0] !== "login") { go("/login"); return; }
  rerender();
});
onLangChange(() => { if (mounted && mounted.destroy) mounted.destroy(); mounted = null; rerender(); });
applyTheme();
rerender();
