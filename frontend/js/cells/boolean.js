import { h } from "../dom.js";
import { t } from "../i18n.js";
import { registerCell } from "./index.js";

registerCell("boolean", {
  render: (v) => h("span", { class: `check${v ? " on" : ""}`, role: "img", "aria-label": v ? t("cell.yes") : t("cell.no") }, v ? "✓" : ""),
  toText: (v) => (v ? "1" : "0"),
  fromText: (s) => ["1", "true", "oui", "yes", "x", "vrai", "✓"].includes(String(s).trim().toLowerCase()),
  toggle: (v) => !v,
});
