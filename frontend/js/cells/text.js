import { h } from "../dom.js";
import { registerCell } from "./index.js";

// A text input editor shared by simple types. Enter/Tab commit, Escape cancels.
export function inputEditor({ value, text, commit, cancel, type = "text", parse = (s) => s, multiline = false }) {
  const start = text !== undefined ? text : value === null || value === undefined ? "" : String(value);
  const input = multiline
    ? h("textarea", { class: "cell-input", rows: 4, "aria-label": "valeur" })
    : h("input", { class: "cell-input", type: "text", inputmode: type === "text" ? null : type, "aria-label": "valeur" });
  input.value = start;
  let closed = false; // removing the editor fires blur: commit or cancel only once
  const once = (f) => (...args) => { if (closed) return; closed = true; f(...args); };
  commit = once(commit); cancel = once(cancel);
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Escape") { e.preventDefault(); cancel(); }
    else if (e.key === "Enter" && (!multiline || !e.shiftKey)) { e.preventDefault(); commit(parse(input.value), "down"); }
    else if (e.key === "Tab") { e.preventDefault(); commit(parse(input.value), e.shiftKey ? "left" : "right"); }
  });
  input.addEventListener("blur", () => { if (input.isConnected) commit(parse(input.value), null); });
  queueMicrotask(() => { input.focus(); if (text === undefined) input.select(); else input.setSelectionRange(input.value.length, input.value.length); });
  return input;
}

registerCell("text", { editor: (o) => inputEditor(o) });
registerCell("long_text", {
  render: (v) => (v ? String(v).split("\n")[0] : ""),
  editor: (o) => inputEditor({ ...o, multiline: true }),
});
registerCell("phone_number", {
  render: (v) => (v ? h("a", { href: `tel:${v}`, tabindex: "-1" }, v) : ""),
  editor: (o) => inputEditor({ ...o, type: "tel" }),
});
registerCell("url", {
  render: (v) => (v ? h("a", { href: /^https?:\/\//i.test(v) ? v : `https://${v}`, target: "_blank", rel: "noopener noreferrer", tabindex: "-1" }, v) : ""),
  editor: (o) => inputEditor({ ...o, type: "url" }),
});
registerCell("email", {
  render: (v) => (v ? h("a", { href: `mailto:${v}`, tabindex: "-1" }, v) : ""),
  editor: (o) => inputEditor({ ...o, type: "email" }),
});
