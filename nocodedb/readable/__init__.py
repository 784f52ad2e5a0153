"""Read-only SQL views of user tables for BI tools: names, column SQL, and the reader role (docs/bi-tools.md)."""
