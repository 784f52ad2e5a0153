"""Read-only queries (no writes here): listing and fetching rows."""
