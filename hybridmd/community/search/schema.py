"""The vendor-specific full-text structures behind ``SearchEntry`` (outside Django's model state).

SQLite: an external-content FTS5 table over (``terms``, ``title_terms``) with
``rowid = SearchEntry.id``, kept in step by triggers, so even a cascade delete of a
post leaves no stale row. Its tokenizer splits on whitespace only in effect: the
terms are letters, digits and inner dots (``i21.9``), lowercased by the engine.

PostgreSQL: a stored generated ``search_vector`` column (title terms weighted A,
all terms D) with a GIN index. The 'simple' configuration neither stems nor drops
stop words: the engine already did both.

``install`` is idempotent. Django's SQLite schema editor rebuilds a table to alter
it, which drops its triggers: a later migration that alters ``SearchEntry`` must
call ``install`` again (``manage.py search_reindex`` also does).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "community_searchentry"
FTS = "community_searchfts"
VECTOR = "search_vector"

_SQLITE_INSTALL = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS community_searchfts USING fts5(
        terms, title_terms, content='community_searchentry', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 tokenchars '.'")""",
    """CREATE TRIGGER IF NOT EXISTS community_searchentry_fts_insert
        AFTER INSERT ON community_searchentry BEGIN
        INSERT INTO community_searchfts(rowid, terms, title_terms)
        VALUES (new.id, new.terms, new.title_terms);
    END""",
    """CREATE TRIGGER IF NOT EXISTS community_searchentry_fts_delete
        AFTER DELETE ON community_searchentry BEGIN
        INSERT INTO community_searchfts(community_searchfts, rowid, terms, title_terms)
        VALUES ('delete', old.id, old.terms, old.title_terms);
    END""",
    """CREATE TRIGGER IF NOT EXISTS community_searchentry_fts_update
        AFTER UPDATE OF terms, title_terms ON community_searchentry BEGIN
        INSERT INTO community_searchfts(community_searchfts, rowid, terms, title_terms)
        VALUES ('delete', old.id, old.terms, old.title_terms);
        INSERT INTO community_searchfts(rowid, terms, title_terms)
        VALUES (new.id, new.terms, new.title_terms);
    END""",
)
_SQLITE_UNINSTALL = (
    "DROP TRIGGER IF EXISTS community_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS community_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS community_searchentry_fts_update",
    "DROP TABLE IF EXISTS community_searchfts",
)
_SQLITE_REBUILD = ("INSERT INTO community_searchfts(community_searchfts) VALUES ('rebuild')",)
_POSTGRES_INSTALL = (
    """ALTER TABLE community_searchentry ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
            || setweight(to_tsvector('simple'::regconfig, terms), 'D')
        ) STORED""",
    """CREATE INDEX IF NOT EXISTS community_searchentry_vector
        ON community_searchentry USING GIN (search_vector)""",
)
_POSTGRES_UNINSTALL = (
    "DROP INDEX IF EXISTS community_searchentry_vector",
    "ALTER TABLE community_searchentry DROP COLUMN IF EXISTS search_vector",
)


def _run(connection: BaseDatabaseWrapper, statements: tuple[str, ...]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _postgres_installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relname = %s AND a.attname = %s AND NOT a.attisdropped"
            " AND pg_table_is_visible(c.oid)",
            [TABLE, VECTOR],
        )
        column = cursor.fetchone()
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{TABLE}_vector"])
        index = cursor.fetchone()
    return bool(column and column[0] and index and index[0])


def install(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_INSTALL)
    elif connection.vendor == "postgresql":
        # Checked first: ALTER TABLE fails inside a transaction with pending FK checks.
        if not _postgres_installed(connection):
            _run(connection, _POSTGRES_INSTALL)
    else:
        raise ImproperlyConfigured(
            f"community search supports SQLite and PostgreSQL, not {connection.vendor}"
        )


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_UNINSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, _POSTGRES_UNINSTALL)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Make the SQLite FTS table match its content table again (PostgreSQL needs nothing)."""
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_REBUILD)
