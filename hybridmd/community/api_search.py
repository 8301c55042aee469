"""GET /search: the same permission and anonymity rules as the search page.

Mounted by the project under /api/v1/community. Results carry no author at all.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from hybridmd.community.search import MAX_LIMIT, MAX_OFFSET, SearchResult, search

router = Router(tags=["community"])


class SearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=200, description="words, phrases or KCD codes")
    board: str | None = Field(None, description="board slug")
    specialty: str | None = Field(None, description="specialty code (subspecialties included)")
    tag: str | None = Field(None, max_length=40)
    answered: bool | None = None
    date_from: date | None = Field(None, description="first day, inclusive")
    date_to: date | None = Field(None, description="last day, inclusive")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class SearchResultOut(Schema):
    kind: str = Field(..., description="post, answer or comment: the best match in the thread")
    post_id: UUID
    title: str
    title_html: str
    board: str
    board_name: str
    snippet_html: str = Field(..., description="escaped text; matched words in <mark>")
    created_at: datetime
    url: str


class SearchPageOut(Schema):
    query: str
    total: int = Field(..., description="matching threads")
    limit: int
    offset: int
    results: list[SearchResultOut]


def _out(result: SearchResult) -> SearchResultOut:
    return SearchResultOut(
        kind=result.kind,
        post_id=result.post_public_id,
        title=result.title,
        title_html=str(result.title_html),
        board=result.board_slug,
        board_name=result.board_name,
        snippet_html=str(result.snippet_html),
        created_at=result.created_at,
        url=result.url,
    )


@router.get("/search", response=SearchPageOut, auth=django_auth, summary="Search posts and answers")
def search_community(request: HttpRequest, params: Query[SearchParams]) -> SearchPageOut:
    page = search(
        request.user,
        params.q,
        board=params.board,
        specialty=params.specialty,
        tag=params.tag,
        answered=params.answered,
        date_from=params.date_from,
        date_to=params.date_to,
        limit=params.limit,
        offset=params.offset,
    )
    return SearchPageOut(
        query=page.query,
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        results=[_out(r) for r in page.results],
    )
