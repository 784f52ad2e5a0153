"""Templates: one versioned JSON document describing a whole database (see docs/templates.md)."""
