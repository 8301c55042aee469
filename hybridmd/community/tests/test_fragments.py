"""Cached fragments: cheaper when warm, never stale after a write, never another viewer's."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hybridmd.community import fragments
from hybridmd.community.search import index_post, reindex_all
from hybridmd.community.services import moderation
from hybridmd.community.services import posts as post_services
from hybridmd.community.tests.factories import (
    AnswerFactory,
    PostFactory,
    board,
    verified_user,
)

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def test_a_warm_thread_skips_the_answer_and_comment_queries():
    post = PostFactory()
    AnswerFactory.create_batch(3, post=post)
    url = reverse("community_post", args=[post.public_id])
    client = _signed_in(verified_user())
    cold_html, cold = _get(client, url)
    warm_html, warm = _get(client, url)
    assert (
        warm == cold - 8
    )  # post row; meta (author, tags, revisions); attachments; answers, comments
    strip = re.compile(r"[A-Za-z0-9]{64}")  # CSRF tokens are masked anew per request
    assert strip.sub("", warm_html) == strip.sub("", cold_html)


def test_a_new_answer_through_the_service_shows_at_once():
    asker, specialist = verified_user(), verified_user()
    post = PostFactory(author=asker)
    url = reverse("community_post", args=[post.public_id])
    reader = _signed_in(verified_user())
    _get(reader, url)  # warm
    post_services.answer_create(author=specialist, post_id=post.pk, body="심전도 재검을 권합니다.")
    html, _ = _get(reader, url)
    assert "심전도 재검을 권합니다." in html


def test_a_reported_answer_disappears_at_once():
    post = PostFactory()
    answer = AnswerFactory(post=post, body_html="<p>숨겨질 답변</p>")
    url = reverse("community_post", args=[post.public_id])
    reader = _signed_in(verified_user())
    assert "숨겨질 답변" in _get(reader, url)[0]
    moderation.report_create(
        reporter=verified_user(), kind="answer", target_id=answer.pk, reason="광고"
    )
    assert "숨겨질 답변" not in _get(reader, url)[0]


def test_a_reported_question_is_hidden_from_readers_at_once():
    post = PostFactory()
    url = reverse("community_post", args=[post.public_id])
    reader = _signed_in(verified_user())
    _get(reader, url)  # the post row is cached now
    moderation.report_create(
        reporter=verified_user(), kind="post", target_id=post.pk, reason="광고"
    )
    assert reader.get(url).status_code == 404
    assert _signed_in(post.author).get(url).status_code == 200  # its author still sees it


def test_the_csrf_token_in_a_cached_fragment_is_the_viewers_own():
    post = PostFactory()
    answer = AnswerFactory(post=post)
    url = reverse("community_post", args=[post.public_id])
    _get(_signed_in(verified_user()), url)  # another member warms the cache
    voter = _signed_in(verified_user())
    html, _ = _get(voter, url)
    assert "__hybridmd_csrf_token__" not in html
    response = voter.post(
        reverse("community_vote", args=[post.public_id]),
        {"answer": answer.pk, "csrfmiddlewaretoken": _csrf(html)},
    )
    assert response.status_code in {200, 302}
    answer.refresh_from_db()
    assert answer.score == 1


def test_an_upvote_disables_the_button_for_the_voter_only():
    post = PostFactory()
    answer = AnswerFactory(post=post)
    url = reverse("community_post", args=[post.public_id])
    voter_user, other_user = verified_user(), verified_user()
    voter, other = _signed_in(voter_user), _signed_in(other_user)
    _get(other, url)  # warm
    post_services.vote_add(voter=voter_user, answer_id=answer.pk)
    button = f'data-vote="{answer.pk}" disabled'
    voter_html, _ = _get(voter, url)
    other_html, _ = _get(other, url)
    assert button in voter_html
    assert button not in other_html
    assert "▲ 1" in other_html  # the new score reached everyone's (cached) page


def test_only_the_asker_gets_the_accept_buttons():
    asker = verified_user()
    post = PostFactory(author=asker)
    AnswerFactory(post=post)
    url = reverse("community_post", args=[post.public_id])
    reader_html, _ = _get(_signed_in(verified_user()), url)
    asker_html, _ = _get(_signed_in(asker), url)
    assert 'data-testid="accept"' in asker_html
    assert 'data-testid="accept"' not in reader_html
    again, _ = _get(_signed_in(verified_user()), url)
    assert 'data-testid="accept"' not in again


def test_a_new_post_reaches_the_warm_board_list():
    url = reverse("community_board", args=["qna"])
    reader = _signed_in(verified_user())
    PostFactory(board=board("qna"), title="첫 질문")
    _, cold = _get(reader, url)
    _, warm = _get(reader, url)
    assert warm < cold
    PostFactory(board=board("qna"), title="새 질문 심방세동")
    assert "새 질문 심방세동" in _get(reader, url)[0]


def test_the_board_pager_keeps_the_filters():
    PostFactory.create_batch(21, board=board("qna"))
    url = reverse("community_board", args=["qna"]) + "?answered=no&tag=ecg"
    html, _ = _get(_signed_in(verified_user()), url)
    assert "Nothing here yet" in html or "아직" in html  # no post has the tag
    html, _ = _get(
        _signed_in(verified_user()), reverse("community_board", args=["qna"]) + "?answered=no"
    )
    assert "?page=2&amp;answered=no" in html


def test_search_results_follow_the_index():
    post = PostFactory(title="심방세동 항응고 질문")
    reindex_all()
    url = reverse("community_search") + "?q=심방세동"
    reader = _signed_in(verified_user())
    assert "심방세동" in _get(reader, url)[0]
    post.title = "항응고 질문"
    post.save()
    index_post(post)
    html, _ = _get(reader, url)
    assert "항응고 질문" not in html


def test_an_evicted_generation_never_revives_an_old_fragment():
    post = PostFactory()
    url = reverse("community_post", args=[post.public_id])
    reader = _signed_in(verified_user())
    _get(reader, url)
    cache.delete("community:generation:" + fragments.thread_scope(post.public_id))
    AnswerFactory(post=post, body_html="<p>새 답변</p>")
    cache.delete("community:generation:" + fragments.thread_scope(post.public_id))
    assert "새 답변" in _get(reader, url)[0]


def test_an_edit_reaches_the_warm_thread_with_its_tags_and_revision_count(english):
    author = verified_user()
    post = PostFactory(author=author)
    url = reverse("community_post", args=[post.public_id])
    reader = _signed_in(verified_user())
    assert "Edited 1 time" not in _get(reader, url)[0]
    post_services.post_edit(
        editor=author,
        post_id=post.pk,
        title=post.title,
        body="수정된 본문",
        specialty=None,
        tags=["stemi"],
    )
    html, _ = _get(reader, url)
    assert "Edited 1 time" in html
    assert "#stemi" in html
