"""Polls: every creation and voting rule, the one-ballot constraint, results.

HTTP (HTMX block, API) is in ``test_polls_web``, surveys in ``test_surveys``; all run
unchanged on SQLite and PostgreSQL. This module is also their URLconf: the poll and
survey pages and a mount of the poll API (errors answered by the project API's own
problem+json handlers) in front of the project's URLs, so the tests do not depend on
how the lead wires them. The project API is looked up by name: the layers contract
keeps community code from importing ``hybridmd.config``; a test may look at it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import include, path
from django.utils import timezone
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hybridmd.accounts.tests.factories import PhysicianFactory
from hybridmd.audit.models import AuditEvent
from hybridmd.community import selectors_polls as selectors
from hybridmd.community.api_polls import router
from hybridmd.community.models import (
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    Visibility,
)
from hybridmd.community.services import polls as services
from hybridmd.community.tests.factories import PostFactory, board, verified_user

# --- URLconf for this module --------------------------------------------------------

API_PREFIX = "/api/polls-test"
_project_api = import_string("hybridmd.config.api.api")
_api = NinjaAPI(urls_namespace="polls-test-api", docs_url=None)
_ERRORS = (Exception, Http404, HttpError, AuthenticationError, NinjaValidationError)
for _exc in (*_ERRORS, ValidationError, PermissionDenied):
    _api.add_exception_handler(_exc, _project_api.on_exception)
_api.add_router("/", router)

urlpatterns = [
    path("community/", include("hybridmd.community.urls_polls")),
    path(API_PREFIX.strip("/") + "/", _api.urls),
    path("", include("hybridmd.config.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english"), pytest.mark.urls(__name__)]


# --- helpers ------------------------------------------------------------------------


def make_poll(post=None, **overrides: Any):
    post = post or PostFactory(board=board("qna"))
    values: dict[str, Any] = {
        "creator": post.author,
        "question": "다음 검사로 무엇을?",
        "options": ["심전도", "심초음파", "관상동맥 CT"],
        "multiple": False,
        "closes_at": None,
    }
    return services.poll_create(post=post, **(values | overrides))


def option_ids(poll):
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def close(poll_or_survey):
    type(poll_or_survey).objects.filter(pk=poll_or_survey.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    poll_or_survey.refresh_from_db()


@pytest.fixture
def member():
    return verified_user()


@pytest.fixture
def unverified():
    return PhysicianFactory().user


# --- creating polls -----------------------------------------------------------------


def test_author_creates_a_poll_with_ordered_options_and_it_is_audited():
    poll = make_poll(options=[" 예 ", "아니오"])
    assert list(poll.options.values_list("label", "position")) == [("예", 0), ("아니오", 1)]
    assert AuditEvent.objects.filter(action="community.poll_created", target_id=str(poll.pk))


def test_creator_defaults_to_the_posts_author():
    post = PostFactory(board=board("free"))
    poll = services.poll_create(
        post=post, question="q", options=["a", "b"], multiple=False, closes_at=None
    )
    assert poll.post == post


def test_board_without_polls_refuses_a_poll():
    post = PostFactory(board=board("cases"))
    with pytest.raises(ValidationError) as caught:
        make_poll(post=post)
    assert caught.value.code == "polls_not_allowed"
    assert not Poll.objects.exists()


def test_only_the_author_can_add_a_poll(member):
    with pytest.raises(PermissionDenied):
        make_poll(creator=member)
    assert not Poll.objects.exists()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["하나"], "at least two"),
        ([f"option {n}" for n in range(11)], "at most 10"),
        (["a", "  "], "cannot be empty"),
        (["Yes", "yes "], "given twice"),
        (["a", "x" * 121], "longer than 120"),
    ],
)
def test_poll_options_are_validated(options, fragment):
    with pytest.raises(ValidationError) as caught:
        make_poll(options=options)
    assert fragment in " ".join(caught.value.message_dict["options"])
    assert not Poll.objects.exists()
    assert not PollOption.objects.exists()


def test_poll_question_and_closing_time_are_validated():
    with pytest.raises(ValidationError) as caught:
        make_poll(question="  ")
    assert "question" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_poll(closes_at=timezone.now() - timedelta(hours=1))
    assert "closes_at" in caught.value.message_dict
    assert not Poll.objects.exists()


def test_a_post_has_at_most_one_poll():
    poll = make_poll()
    with pytest.raises(ValidationError) as caught:
        make_poll(post=poll.post)
    assert caught.value.code == "has_poll"
    assert Poll.objects.count() == 1
    assert PollOption.objects.count() == 3


# --- voting ------------------------------------------------------------------------


def test_single_choice_poll_takes_exactly_one_option(member):
    poll = make_poll()
    first, second, _ = option_ids(poll)
    for chosen in ([], [first, second]):
        with pytest.raises(ValidationError):
            services.poll_vote(poll_id=poll.pk, voter=member, option_ids=chosen)
    assert not PollBallot.objects.exists()
    ballot = services.poll_vote(poll_id=poll.pk, voter=member, option_ids=[second])
    assert list(ballot.choices.values_list("option_id", flat=True)) == [second]
    assert AuditEvent.objects.filter(action="community.poll_voted", target_id=str(poll.pk))


def test_multiple_choice_poll_takes_one_or_more(member):
    poll = make_poll(multiple=True)
    ids = option_ids(poll)
    with pytest.raises(ValidationError) as caught:
        services.poll_vote(poll_id=poll.pk, voter=member, option_ids=[])
    assert caught.value.code == "no_choice"
    ballot = services.poll_vote(poll_id=poll.pk, voter=member, option_ids=[ids[0], ids[2], ids[0]])
    assert sorted(ballot.choices.values_list("option_id", flat=True)) == [ids[0], ids[2]]


def test_option_of_another_poll_is_refused_and_nothing_is_written(member):
    poll, other = make_poll(multiple=True), make_poll()
    with pytest.raises(ValidationError) as caught:
        services.poll_vote(
            poll_id=poll.pk, voter=member, option_ids=[option_ids(poll)[0], option_ids(other)[0]]
        )
    assert caught.value.code == "invalid_option"
    assert not PollBallot.objects.exists()
    assert not PollChoice.objects.exists()


def test_closed_poll_refuses_votes(member):
    poll = make_poll()
    close(poll)
    with pytest.raises(ValidationError) as caught:
        services.poll_vote(poll_id=poll.pk, voter=member, option_ids=option_ids(poll)[:1])
    assert caught.value.code == "closed"
    assert not PollBallot.objects.exists()


def test_voting_twice_is_refused_and_writes_nothing_more(member):
    poll = make_poll(multiple=True)
    ids = option_ids(poll)
    services.poll_vote(poll_id=poll.pk, voter=member, option_ids=[ids[0]])
    with pytest.raises(services.AlreadyVoted) as caught:
        services.poll_vote(poll_id=poll.pk, voter=member, option_ids=[ids[1], ids[2]])
    assert caught.value.code == "already_voted"
    assert isinstance(caught.value, ValidationError)
    assert PollBallot.objects.count() == 1
    assert list(PollChoice.objects.values_list("option_id", flat=True)) == [ids[0]]
    assert AuditEvent.objects.filter(action="community.poll_voted").count() == 1


def test_the_database_itself_allows_one_ballot_per_member(member):
    poll = make_poll()
    PollBallot.objects.create(poll=poll, voter=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollBallot.objects.create(poll=poll, voter=member)
    assert PollBallot.objects.count() == 1


def test_unverified_member_cannot_vote(unverified):
    poll = make_poll()
    with pytest.raises(PermissionDenied):
        services.poll_vote(poll_id=poll.pk, voter=unverified, option_ids=option_ids(poll)[:1])
    assert not PollBallot.objects.exists()


def test_poll_on_a_removed_post_cannot_be_voted_on(member):
    poll = make_poll()
    type(poll.post).objects.filter(pk=poll.post_id).update(status=Visibility.REMOVED)
    with pytest.raises(Http404):
        services.poll_vote(poll_id=poll.pk, voter=member, option_ids=option_ids(poll)[:1])


# --- results ------------------------------------------------------------------------


def test_results_hidden_before_voting_and_shown_after(member):
    poll = make_poll()
    ids = option_ids(poll)
    for _ in range(3):
        services.poll_vote(poll_id=poll.pk, voter=verified_user(), option_ids=[ids[0]])
    before = selectors.poll_results(poll, viewer=member)
    assert not before.results_visible
    assert not before.voted
    assert before.total_ballots == 3
    assert {(o.count, o.percent) for o in before.options} == {(None, None)}
    services.poll_vote(poll_id=poll.pk, voter=member, option_ids=[ids[1]])
    after = selectors.poll_results(poll, viewer=member)
    assert after.results_visible
    assert after.voted
    assert [(o.count, o.percent, o.chosen) for o in after.options] == [
        (3, 75, False),
        (1, 25, True),
        (0, 0, False),
    ]


def test_results_shown_to_everyone_once_closed(member):
    poll = make_poll()
    services.poll_vote(poll_id=poll.pk, voter=verified_user(), option_ids=option_ids(poll)[:1])
    close(poll)
    results = selectors.poll_results(poll, viewer=member)
    assert results.results_visible
    assert not results.voted
    assert [o.percent for o in results.options] == [100, 0, 0]


@pytest.mark.parametrize("voters", [0, 5])
def test_results_take_a_constant_number_of_queries(django_assert_num_queries, member, voters):
    poll = make_poll(multiple=True, options=[f"o{n}" for n in range(2 + voters)])
    for _ in range(voters):
        services.poll_vote(poll_id=poll.pk, voter=verified_user(), option_ids=option_ids(poll))
    with django_assert_num_queries(3):
        selectors.poll_results(poll, viewer=member)
