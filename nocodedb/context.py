"""What every request and service needs: the engine, the settings, the registries, the signing secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from fields import FieldType, Registry
from nocodedb.settings import Settings
from views.filters import FilterType

if TYPE_CHECKING:
    from nocodedb.events.runtime import EventsRuntime
    from nocodedb.services.indexes import IndexAdvisor


@dataclass
class AppContext:
    engine: AsyncEngine
    settings: Settings
    field_types: Registry[FieldType]
    filter_types: Registry[FilterType]
    secret: str
    indexes: IndexAdvisor
    events: EventsRuntime | None = None  # events: set in the app's lifespan
