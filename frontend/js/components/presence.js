// Who else is looking at the table: initials in round badges in the table header, the names on hover
// and for screen readers. Visitors of a shared view are counted, never named.
import { h } from "../dom.js";
import { t } from "../i18n.js";

const MAX_SHOWN = 5;
const COLORS = ["blue", "green", "orange", "purple", "red", "light-blue", "dark-orange", "yellow"];

export function initials(name) {
  const parts = String(name || "?").trim().split(/[\s\-']+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}

export function presenceBar() {
  const list = h("ul", { class: "presence-list" });
  const el = h("div", { class: "presence", role: "group", "aria-label": t("presence.label"), hidden: true }, list);

  // users: [{user_id, name, connections} | {anonymous: n}]; selfId: the viewer, left out.
  function update(users, selfId) {
    const people = users.filter((u) => u.user_id !== undefined && u.user_id !== selfId);
    const anonymous = users.reduce((n, u) => n + (u.anonymous || 0), 0);
    list.replaceChildren();
    for (const u of people.slice(0, MAX_SHOWN)) {
      const label = t("presence.user", { name: u.name || "?" });
      list.append(h("li", { class: `avatar c-${COLORS[u.user_id % COLORS.length]}`, title: label, tabindex: "0", "aria-label": label }, initials(u.name)));
    }
    const more = people.length - MAX_SHOWN;
    if (more > 0) {
      const names = people.slice(MAX_SHOWN).map((u) => u.name).join(", ");
      list.append(h("li", { class: "avatar more", title: names, tabindex: "0", "aria-label": t("presence.more", { count: more, names }) }, `+${more}`));
    }
    if (anonymous) {
      const label = t("presence.visitors", { count: anonymous });
      list.append(h("li", { class: "avatar visitors", title: label, tabindex: "0", "aria-label": label }, `👁 ${anonymous}`));
    }
    el.hidden = !people.length && !anonymous;
  }
  return { el, update };
}
