from sqlalchemy import text

from nocodedb.db.migrate import migrate
from nocodedb.db.schema import metadata


async def test_migrations_create_every_described_table(engine):
    async with engine.connect() as conn:
        names = set((await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).scalars())
        names |= set(
            (
                await conn.execute(
                    text("SELECT relname FROM pg_class WHERE relkind = 'p' AND relnamespace = 'public'::regnamespace")
                )
            ).scalars()
        )
    assert set(metadata.tables) <= names


async def test_migrations_are_idempotent(engine):
    await migrate(engine)
    async with engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from nocodedb.db.migrate import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert version == ScriptDirectory.from_config(cfg).get_current_head()


async def test_schema_columns_match_migrations(engine):
    async with engine.connect() as conn:
        for table in metadata.tables.values():
            cols = set(
                (
                    await conn.execute(
                        text(
                            "SELECT column_name FROM information_schema.columns"
                            " WHERE table_schema = 'public' AND table_name = :t"
                        ),
                        {"t": table.name},
                    )
                ).scalars()
            )
            assert {c.name for c in table.columns} == cols, table.name
