// Loads every built-in cell type into the registry.
import "./text.js";
import "./number.js";
import "./boolean.js";
import "./date.js";
import "./select.js";
import "./link.js";
import "./readonly.js";
export { cellType, isReadOnly } from "./index.js";
