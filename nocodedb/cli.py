"""The `nocodedb` command: `nocodedb serve` starts the server (on an embedded PostgreSQL by default)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    os.environ["NOCODEDB_DATA_DIR"] = str(args.data_dir)
    if not os.environ.get("DATABASE_URL"):
        from nocodedb.db.embedded import start_embedded

        # Started here, once, so that every worker shares one server; it stops when this process ends.
        os.environ["DATABASE_URL"] = start_embedded(Path(args.data_dir))
        print(f"nocodedb: embedded PostgreSQL, data in {Path(args.data_dir).resolve()}", flush=True)
    print(f"nocodedb: serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(
        "nocodedb.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        proxy_headers=True,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nocodedb", description="An open-source no-code database.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the web server")
    serve.add_argument("--host", default=os.environ.get("NOCODEDB_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("NOCODEDB_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("NOCODEDB_WORKERS", "1")))
    serve.add_argument(
        "--data-dir", default=os.environ.get("NOCODEDB_DATA_DIR", "nocodedb-data"), help="where data lives"
    )
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(run=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
