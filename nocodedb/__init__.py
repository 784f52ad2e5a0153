"""nocodedb: a no-code database on PostgreSQL with a Baserow-compatible REST API."""

__version__ = "0.1.0"
