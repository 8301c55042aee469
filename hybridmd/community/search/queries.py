"""``search()``: who may search, which threads match, and what a result carries.

Results are *threads*: each matching post appears once, represented by its
best-scoring item (the question itself, an answer or a comment), so a thread whose
question and five answers all mention 흉통 does not fill the page alone. ``total``
counts threads.

A result never names an author, neither for anonymous questions nor for anyone
else: the simplest way to guarantee that a pseudonymous asker cannot be found
through search. Snippets are built from ``snippet_source`` (item text, no names)
by ``snippets``: every character is HTML-escaped, only matched words are in <mark>.

Dates: a ``date`` is a whole local day (``date_to`` included); a ``datetime`` bound
is used as is (``date_to`` excluded). Both filter on the matching item's date.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from hybridmd.accounts.models import Specialty
from hybridmd.accounts.permissions import AnyUser, can_see_community
from hybridmd.community.models import Board, SearchEntry
from hybridmd.community.search.backends import Filters, ranked
from hybridmd.community.search.snippets import highlight_html, snippet_html
from hybridmd.engines.documents.korean_terms import parse_query

MAX_LIMIT = 50
MAX_OFFSET = 1000


@dataclass(frozen=True)
class SearchResult:
    kind: str  # "post", "answer" or "comment": the best-matching item of the thread
    post_public_id: uuid.UUID
    title: str
    title_html: SafeString
    board_slug: str
    board_name: str
    snippet_html: SafeString
    created_at: datetime  # of the matching item
    anchor: str  # "", "answer-12" or "comment-7"

    @property
    def url(self) -> str:
        url = reverse("community_post", kwargs={"public_id": self.post_public_id})
        return f"{url}#{self.anchor}" if self.anchor else url


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0
    limit: int = 20
    offset: int = 0

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total


def _moment(value: date | datetime | None, *, end: bool) -> datetime | None:
    """Dates are whole local days: ``date_to`` includes the day it names."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    day = value + timedelta(days=1) if end else value
    return timezone.make_aware(datetime.combine(day, time.min))


def _result(row: Mapping[str, Any], terms: list[str]) -> SearchResult:
    source: str = row["snippet_source"]
    if row["kind"] == SearchEntry.Kind.POST:  # the title is shown on its own
        source = source.partition("\n\n")[2] or source
    english = (get_language() or "ko").startswith("en")
    anchor = "" if row["kind"] == SearchEntry.Kind.POST else f"{row['kind']}-{row['object_id']}"
    return SearchResult(
        kind=row["kind"],
        post_public_id=row["post__public_id"],
        title=row["post__title"],
        title_html=highlight_html(row["post__title"], terms),
        board_slug=row["board__slug"],
        board_name=row["board__name_en"] if english else row["board__name_ko"],
        snippet_html=snippet_html(source, terms),
        created_at=row["created_at"],
        anchor=anchor,
    )


def search(
    user: AnyUser,
    query: str,
    *,
    board: Board | str | None = None,
    specialty: Specialty | str | None = None,
    tag: str | None = None,
    answered: bool | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Visible threads matching every concept of ``query``, best first.

    ``board`` is a Board or its slug, ``specialty`` a Specialty or its code (its
    subspecialties included), ``tag`` a tag name. Three queries whatever the page size:
    the user's grants, the ranked page, the rows shown.
    """
    if not can_see_community(user):
        raise PermissionDenied("community.view")
    limit = min(max(limit, 1), MAX_LIMIT)
    offset = min(max(offset, 0), MAX_OFFSET)
    concepts = parse_query(query)
    page = SearchPage(query=query, limit=limit, offset=offset)
    if not concepts:
        return page
    filters = Filters(
        board=board,
        specialty=specialty,
        tag=tag,
        answered=answered,
        since=_moment(date_from, end=False),
        until=_moment(date_to, end=True),
    )
    hits = ranked(concepts, filters, limit=limit, offset=offset)
    if not hits.ids:
        return SearchPage(query=query, total=hits.total, limit=limit, offset=offset)
    rows = SearchEntry.objects.filter(pk__in=hits.ids).values(
        "pk", "kind", "object_id", "created_at", "snippet_source", "post__public_id",
        "post__title", "board__slug", "board__name_ko", "board__name_en",
    )  # fmt: skip
    by_id = {row["pk"]: row for row in rows}
    terms = list(dict.fromkeys(t for concept in concepts for alt in concept for t in alt))
    results = [_result(by_id[pk], terms) for pk in hits.ids if pk in by_id]
    return SearchPage(query=query, results=results, total=hits.total, limit=limit, offset=offset)
