"""Polls over HTTP: the HTMX poll block and vote (200/403/409/422), and the poll API.

Uses the URLconf of ``test_polls``: the poll pages and a mount of the poll API that
answers errors through the project API's own problem+json handlers.
"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from hybridmd.accounts.tests.factories import PhysicianFactory
from hybridmd.community.models import PollBallot, PollChoice
from hybridmd.community.services import polls as services
from hybridmd.community.tests.factories import verified_user
from hybridmd.community.tests.test_polls import API_PREFIX, close, make_poll, option_ids

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
    pytest.mark.urls("hybridmd.community.tests.test_polls"),
]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def member():
    return verified_user()


@pytest.fixture
def unverified():
    return PhysicianFactory().user


# --- HTML: the HTMX poll block ------------------------------------------------------


def vote_url(poll):
    return reverse("poll_vote", args=[poll.pk])


def test_included_block_renders_from_poll_and_request_only(member):
    poll = make_poll()
    request = RequestFactory().get("/community/p/x/")
    request.user = member
    html = render_to_string("community/_poll.html", {"poll": poll}, request=request)
    assert reverse("poll_block", args=[poll.pk]) in html
    assert 'hx-trigger="load"' in html
    assert "심초음파" in html  # the no-JavaScript ballot
    assert 'data-testid="poll-results"' not in html


def test_block_shows_ballot_then_results(client, member):
    poll = make_poll()
    client.force_login(member)
    response = client.get(reverse("poll_block", args=[poll.pk]), headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="radio"' in body
    assert 'data-testid="poll-results"' not in body
    services.poll_vote(poll_id=poll.pk, voter=member, option_ids=option_ids(poll)[:1])
    body = client.get(reverse("poll_block", args=[poll.pk]), headers=HTMX).content.decode()
    assert 'data-testid="poll-results"' in body
    assert "100%" in body


def test_htmx_vote_returns_the_partial_with_results(client, member):
    poll = make_poll(multiple=True)
    client.force_login(member)
    response = client.post(vote_url(poll), {"option": option_ids(poll)[:2]}, headers=HTMX)
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["community/_poll.html"]
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="poll-{poll.pk}"' in body
    assert 'data-testid="poll-results"' in body
    assert PollChoice.objects.count() == 2


def test_htmx_vote_twice_is_409_with_a_message(client, member):
    poll = make_poll()
    client.force_login(member)
    client.post(vote_url(poll), {"option": option_ids(poll)[0]}, headers=HTMX)
    response = client.post(vote_url(poll), {"option": option_ids(poll)[1]}, headers=HTMX)
    assert response.status_code == 409
    assert "You have already voted in this poll." in response.content.decode()
    assert PollBallot.objects.count() == 1


@pytest.mark.parametrize("case", ["not-a-number", "other-poll", "closed"])
def test_htmx_invalid_vote_is_422(client, member, case):
    poll = make_poll()
    option = option_ids(poll)[0]
    if case == "not-a-number":
        option = "abc"
    elif case == "other-poll":
        option = option_ids(make_poll())[0]
    else:
        close(poll)
    client.force_login(member)
    response = client.post(vote_url(poll), {"option": option}, headers=HTMX)
    assert response.status_code == 422
    assert 'class="errors"' in response.content.decode()
    assert not PollBallot.objects.exists()


def test_unverified_member_gets_403_with_and_without_htmx(client, unverified):
    poll = make_poll()
    client.force_login(unverified)
    data = {"option": option_ids(poll)[0]}
    assert client.post(vote_url(poll), data, headers=HTMX).status_code == 403
    assert client.post(vote_url(poll), data).status_code == 403
    assert client.get(reverse("poll_block", args=[poll.pk])).status_code == 403
    assert not PollBallot.objects.exists()


def test_plain_vote_redirects_back_only_to_this_site(client, member):
    poll = make_poll()
    client.force_login(member)
    thread = "/community/p/somewhere/?page=2"
    response = client.post(vote_url(poll), {"option": option_ids(poll)[0], "next": thread})
    assert response.status_code == 302
    assert response["Location"] == thread
    response = client.post(
        vote_url(poll), {"option": option_ids(poll)[0], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_signed_out_vote_goes_to_login(client):
    poll = make_poll()
    response = client.post(vote_url(poll), {"option": option_ids(poll)[0]})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- API ----------------------------------------------------------------------------


def api_url(poll, suffix=""):
    return f"{API_PREFIX}/polls/{poll.pk}{suffix}"


def test_api_hides_counts_until_voted_then_409_on_second_vote(client, member):
    poll = make_poll()
    ids = option_ids(poll)
    client.force_login(member)
    body = client.get(api_url(poll)).json()
    assert body["results_visible"] is False
    assert {o["count"] for o in body["options"]} == {None}
    response = client.post(api_url(poll, "/vote"), {"option_ids": [ids[1]]}, "application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["voted"] is True
    assert [o["count"] for o in body["options"]] == [0, 1, 0]
    assert [o["chosen"] for o in body["options"]] == [False, True, False]
    response = client.post(api_url(poll, "/vote"), {"option_ids": [ids[0]]}, "application/json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "already voted" in response.json()["detail"]
    assert PollBallot.objects.count() == 1


def test_api_invalid_vote_is_422(client, member):
    poll = make_poll()
    client.force_login(member)
    response = client.post(
        api_url(poll, "/vote"), {"option_ids": option_ids(poll)[:2]}, "application/json"
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    response = client.post(api_url(poll, "/vote"), {"option_ids": "x"}, "application/json")
    assert response.status_code == 422
    assert not PollBallot.objects.exists()


def test_api_refuses_unverified_and_signed_out(client, unverified):
    poll = make_poll()
    payload = {"option_ids": option_ids(poll)[:1]}
    assert client.get(api_url(poll)).status_code == 401
    client.force_login(unverified)
    assert client.get(api_url(poll)).status_code == 403
    response = client.post(api_url(poll, "/vote"), payload, "application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not PollBallot.objects.exists()
