"""Computed fields: the dependency graph, and set-based recomputation in the writer's transaction."""
