"""Change events: the outbox (ids only) read by live updates, and webhook deliveries queued beside it.

Services call the functions below inside their transaction; see docs/webhooks.md and docs/live-updates.md.
"""

from nocodedb.events.emit import (
    field_event,
    fields_deleted,
    rows_before_update,
    rows_created,
    rows_deleted,
    rows_updated,
    view_event,
)
from nocodedb.events.recomputed import note_recomputed

__all__ = [
    "field_event",
    "fields_deleted",
    "note_recomputed",
    "rows_before_update",
    "rows_created",
    "rows_deleted",
    "rows_updated",
    "view_event",
]
