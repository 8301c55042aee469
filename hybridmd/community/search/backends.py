"""One ranked query per search, in the dialect of the database in use.

Both backends answer the same question in one statement: the best-ranked row of
each matching thread, best threads first, one page of them, and how many threads
match in all (``COUNT(*) OVER ()``). Ranking, the same on both:

1. tier: rows whose *title alone* satisfies the whole query come first (an FTS5
   column filter; a tsquery restricted to weight-A lexemes);
2. score, higher is better: ``-bm25()`` on SQLite FTS5 (title column weighted 10x),
   ``ts_rank_cd()`` on PostgreSQL (title lexemes A = 1.0, all terms D = 0.1,
   normalised by log length);
3. newer first.

The tier exists because bm25 saturates term frequency: a body that happens to
match one more alternative of a concept (심근 *and* 경색 besides 심근경색) would
otherwise outrank a title naming exactly what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection

from hybridmd.accounts.models import Specialty
from hybridmd.community.models import Board
from hybridmd.engines.documents.korean_terms import Concept


@dataclass(frozen=True)
class Filters:
    board: Board | str | None = None
    specialty: Specialty | str | None = None
    tag: str | None = None
    answered: bool | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class Hits:
    ids: list[int] = field(default_factory=list)  # SearchEntry ids, best first
    total: int = 0  # matching threads


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(filters: Filters) -> tuple[list[str], list[Any]]:
    ops = connection.ops
    clauses = ["e.visible = %s"]
    params: list[Any] = [True]
    board, specialty = filters.board, filters.specialty
    if isinstance(board, Board):
        clauses.append("e.board_id = %s")
        params.append(board.pk)
    elif board:
        clauses.append("e.board_id IN (SELECT id FROM community_board WHERE slug = %s)")
        params.append(board)
    if isinstance(specialty, Specialty):  # a specialty includes its subspecialties
        clauses.append(
            "e.specialty_id IN (SELECT id FROM accounts_specialty WHERE id = %s OR parent_id = %s)"
        )
        params += [specialty.pk, specialty.pk]
    elif specialty:
        clauses.append(
            "e.specialty_id IN (SELECT s.id FROM accounts_specialty s"
            " LEFT JOIN accounts_specialty p ON p.id = s.parent_id"
            " WHERE s.code = %s OR p.code = %s)"
        )
        params += [specialty, specialty]
    if filters.tag:
        if connection.vendor == "postgresql":
            clauses.append("e.tags ILIKE %s ESCAPE '\\'")
        else:
            clauses.append("e.tags LIKE %s ESCAPE '\\'")
        params.append(f"%\n{_like_escape(' '.join(filters.tag.split()))}\n%")
    if filters.answered is not None:
        clauses.append("e.answered = %s")
        params.append(filters.answered)
    if filters.since is not None:
        clauses.append("e.created_at >= %s")
        params.append(ops.adapt_datetimefield_value(filters.since))
    if filters.until is not None:
        clauses.append("e.created_at < %s")
        params.append(ops.adapt_datetimefield_value(filters.until))
    return clauses, params


def _expression(
    concepts: Sequence[Concept], *, quote: str, conj: str, disj: str, suffix: str = ""
) -> str:
    def term(t: str) -> str:
        return quote + t.replace(quote, quote * 2) + quote + suffix

    def alternative(alt: Sequence[str]) -> str:
        joined = f" {conj} ".join(term(t) for t in alt)
        return f"({joined})" if len(alt) > 1 else joined

    return f" {conj} ".join(
        "(" + f" {disj} ".join(alternative(alt) for alt in concept) + ")" for concept in concepts
    )


_PAGE = """
SELECT id, COUNT(*) OVER () AS total FROM (
    SELECT e.id AS id, e.created_at AS created_at, {tier} AS tier, {score} AS score,
           ROW_NUMBER() OVER (
               PARTITION BY e.post_id ORDER BY {tier} DESC, {score} DESC, e.id
           ) AS rn
    FROM {source}
    WHERE {where}
) ranked
WHERE rn = 1
ORDER BY tier DESC, score DESC, created_at DESC, id DESC
LIMIT %s OFFSET %s
"""


_SQLITE_SOURCE = """
    (SELECT rowid AS entry_id, -bm25(community_searchfts, 1.0, 10.0) AS fts_score
     FROM community_searchfts WHERE community_searchfts MATCH %s) m
    JOIN community_searchentry e ON e.id = m.entry_id
    LEFT JOIN (SELECT rowid AS entry_id FROM community_searchfts
               WHERE community_searchfts MATCH %s) t ON t.entry_id = m.entry_id
"""
_POSTGRES_SOURCE = """
    community_searchentry e
    CROSS JOIN to_tsquery('simple', %s) AS q(query)
    CROSS JOIN to_tsquery('simple', %s) AS t(query)
"""


def _sqlite(concepts: Sequence[Concept], where: list[str]) -> tuple[str, list[Any]]:
    match = _expression(concepts, quote='"', conj="AND", disj="OR")
    sql = _PAGE.format(
        tier="(CASE WHEN t.entry_id IS NULL THEN 0 ELSE 1 END)",
        score="m.fts_score",
        source=_SQLITE_SOURCE,
        where=" AND ".join(where),
    )
    return sql, [match, f"{{title_terms}} : ({match})"]


def _postgres(concepts: Sequence[Concept], where: list[str]) -> tuple[str, list[Any]]:
    query = _expression(concepts, quote="'", conj="&", disj="|")
    title = _expression(concepts, quote="'", conj="&", disj="|", suffix=":A")
    sql = _PAGE.format(
        tier="(CASE WHEN e.search_vector @@ t.query THEN 1 ELSE 0 END)",
        score="ts_rank_cd(e.search_vector, q.query, 1)",
        source=_POSTGRES_SOURCE,
        where=" AND ".join(["e.search_vector @@ q.query", *where]),
    )
    return sql, [query, title]


def ranked(concepts: Sequence[Concept], filters: Filters, *, limit: int, offset: int) -> Hits:
    """One page of best rows per thread, best first, and the number of matching threads."""
    if not concepts:
        return Hits()
    where, where_params = _where(filters)
    build = _postgres if connection.vendor == "postgresql" else _sqlite
    sql, source_params = build(concepts, where)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, *where_params, limit, offset])
        rows = cursor.fetchall()
        if not rows and offset > 0:  # past the end: still say how many there are
            cursor.execute(sql, [*source_params, *where_params, 1, 0])
            first = cursor.fetchone()
            return Hits(total=int(first[1]) if first else 0)
    return Hits(ids=[int(r[0]) for r in rows], total=int(rows[0][1]) if rows else 0)
