"""Creating the database engine and bringing its schema up to date.

SQLite files run in WAL mode with a busy timeout, foreign keys and secure_delete on
(deleted content is overwritten); writes begin with BEGIN IMMEDIATE so two processes
queue for the write lock instead of failing. PostgreSQL
needs nothing special. Migrations are Alembic revisions applied at start-up. Statement
parameters (people's names, among others) are never logged, nor shown in the errors the
engine raises (`hide_parameters`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. Checking it saves importing Alembic when nothing is to be done;
# a test keeps it equal to Alembic's own head.
HEAD = "0015"
BUSY_TIMEOUT_MS = 10_000
IMMEDIATE = "mobilise_begin_immediate"


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `url`, tuned for its backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            parsed,
            hide_parameters=True,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            # Plain executemany: multi-row VALUES would be compiled anew for each batch size.
            use_insertmanyvalues=False,
        )
        _tune_sqlite(engine)
        return engine
    return create_async_engine(
        parsed, hide_parameters=True, pool_size=10, max_overflow=10, pool_pre_ping=True
    )


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
            "PRAGMA foreign_keys=ON",
            # Deleted rows are overwritten, not left in free pages (erasure, the purge).
            "PRAGMA secure_delete=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


async def prepare_writer(conn: AsyncConnection) -> None:
    """Mark a connection as the writer: on SQLite its transactions take the lock at once."""
    if conn.dialect.name == "sqlite":
        await conn.execution_options(**{IMMEDIATE: True})


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply every migration not yet applied."""
    async with engine.connect() as conn:
        current = await conn.run_sync(_current)
        await conn.rollback()
    if revision == "head" and current == HEAD:
        return
    async with engine.connect() as conn:
        await conn.run_sync(_upgrade, revision)
        await conn.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


SETTING = "MOBILISE_DATABASE_URL (or --db)"


def cannot_open(url: str, error: BaseException) -> str:
    """Why the store at `url` cannot be used, in one line, with the setting to change."""
    try:
        parsed = make_url(url)
    except Exception:
        return f"the database URL is not valid: check {SETTING}"
    shown = parsed.render_as_string(hide_password=True)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    text = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
    name = type(getattr(error, "orig", None) or error).__name__
    if "NoSuchModule" in type(error).__name__ or "ArgumentError" in type(error).__name__:
        return f"{shown} is not a database URL this bot knows: check {SETTING}"
    if parsed.get_backend_name() == "sqlite":
        return f"cannot open the SQLite file {parsed.database!r} ({text}): check {SETTING}"
    if "does not exist" in text:
        return f"the database {parsed.database!r} does not exist on {where}: create it, or check {SETTING}"
    if isinstance(error, ConnectionError | OSError) or "Connect call failed" in text:
        return f"cannot reach the database at {where} ({text}): start it, or check {SETTING}"
    if "password" in text.lower() or "authentication" in text.lower():
        return f"the database at {where} refused the login: check {SETTING}"
    return f"cannot use the database {shown} ({name}: {text}): check {SETTING}"
