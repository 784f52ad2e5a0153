// Sign-up and sign-in pages. The first account created administers the instance.
import { h } from "../dom.js";
import { api } from "../api.js";
import { session } from "../session.js";
import { t, errorMessage, currentLang } from "../i18n.js";
import { href } from "../router.js";

function field(label, input, hint) {
  return h("label", { class: "form-field" }, h("span", { class: "label" }, label), input, hint ? h("span", { class: "hint" }, hint) : null);
}

export function authPage(mode) {
  const signup = mode === "signup";
  const error = h("p", { class: "form-error", role: "alert" });
  const name = h("input", { name: "name", autocomplete: "name", required: true });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: signup ? "new-password" : "current-password", required: true, minlength: signup ? "8" : null });
  const submit = h("button", { type: "submit", class: "primary" }, signup ? t("auth.signup.submit") : t("auth.login.submit"));
  const form = h("form", { class: "auth-form", novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = "";
    if (!email.value || !password.value || (signup && !name.value)) { error.textContent = t("auth.missing"); return; }
    if (signup && password.value.length < 8) { error.textContent = t("auth.password.short"); return; }
    submit.disabled = true;
    try {
      const body = signup
        ? await api.signUp(name.value.trim(), email.value.trim(), password.value, currentLang())
        : await api.signIn(email.value.trim(), password.value);
      session.start(body);
    } catch (err) {
      error.textContent = errorMessage(err);
    } finally { submit.disabled = false; }
  } },
  signup ? field(t("auth.name"), name) : null,
  field(t("auth.email"), email),
  field(t("auth.password"), password, signup ? t("auth.password.hint") : null),
  error, submit,
  h("p", { class: "switch" }, signup ? t("auth.have.account") : t("auth.no.account"), " ",
    h("a", { href: href(signup ? "/login" : "/signup") }, signup ? t("auth.login.link") : t("auth.signup.link"))));
  return h("main", { class: "auth-page", id: "main" },
    h("div", { class: "auth-card" },
      h("p", { class: "brand" }, "nocodedb"),
      h("h1", {}, signup ? t("auth.signup.title") : t("auth.login.title")),
      signup ? h("p", { class: "muted" }, t("auth.signup.intro")) : null,
      form));
}
