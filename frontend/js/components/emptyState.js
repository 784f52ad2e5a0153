// An empty state that says what to do next, with the buttons to do it.
import { h } from "../dom.js";

export function emptyState({ title, text, actions = [] }) {
  return h("section", { class: "empty-state" },
    h("h2", {}, title),
    text ? h("p", {}, text) : null,
    h("div", { class: "actions" }, actions.map((a, i) =>
      h("button", { type: "button", class: i === 0 ? "primary" : "", onclick: a.run }, a.label))));
}
