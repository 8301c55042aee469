"""Poll API (mounted by the project at /api/v1/community). Thin over services and selectors.

Errors are left to the project's problem+json handlers: ``AlreadyVoted`` is a
``ConflictError`` -> 409, any other ValidationError -> 422, PermissionDenied -> 403
(signed in but not a verified member), Http404 -> 404; no session -> 401.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from hybridmd.accounts import permissions
from hybridmd.accounts.models import as_user
from hybridmd.community import selectors_polls as selectors
from hybridmd.community.models import Poll
from hybridmd.community.services import polls as services

router = Router(tags=["community"])


class PollOptionOut(Schema):
    id: int
    label: str
    count: int | None
    percent: int | None
    chosen: bool


class PollOut(Schema):
    id: int
    question: str
    multiple: bool
    closes_at: datetime | None
    is_closed: bool
    voted: bool
    results_visible: bool
    total_ballots: int
    options: list[PollOptionOut]


class VoteIn(Schema):
    option_ids: list[int]


def _out(results: selectors.PollResults) -> PollOut:
    poll = results.poll
    return PollOut(
        id=poll.pk,
        question=poll.question,
        multiple=poll.multiple,
        closes_at=poll.closes_at,
        is_closed=results.is_closed,
        voted=results.voted,
        results_visible=results.results_visible,
        total_ballots=results.total_ballots,
        options=[
            PollOptionOut(
                id=option.id,
                label=option.label,
                count=option.count,
                percent=option.percent,
                chosen=option.chosen,
            )
            for option in results.options
        ],
    )


def _poll(request: HttpRequest, poll_id: int) -> Poll:
    if not permissions.can_see_community(request.user):
        raise PermissionDenied
    poll = selectors.poll_for_display(poll_id)
    if poll is None:
        raise Http404
    return poll


@router.get(
    "/polls/{poll_id}",
    response=PollOut,
    auth=django_auth,
    summary="A poll; counts only after you voted or once it closed",
)
def poll_detail(request: HttpRequest, poll_id: int) -> PollOut:
    poll = _poll(request, poll_id)
    return _out(selectors.poll_results(poll, viewer=request.user))


@router.post(
    "/polls/{poll_id}/vote",
    response=PollOut,
    auth=django_auth,
    summary="Vote once (409 if you already did, 422 if the choice is invalid or it closed)",
)
def poll_vote(request: HttpRequest, poll_id: int, payload: VoteIn) -> PollOut:
    poll = _poll(request, poll_id)
    services.poll_vote(poll_id=poll.pk, voter=as_user(request.user), option_ids=payload.option_ids)
    return _out(selectors.poll_results(poll, viewer=request.user))
