"""Pages cost a fixed number of queries however much content they show.

Counted with an empty cache (the cost of rendering, not of a cached fragment); what a
cached fragment saves is in test_fragments.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hybridmd.community.tests.factories import (
    AnswerFactory,
    CommentFactory,
    PostFactory,
    board,
    verified_user,
)

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_board_page_query_count_is_constant(client):
    reader = verified_user()
    client.force_login(reader)
    url = reverse("community_board", args=["qna"])
    PostFactory.create_batch(2, board=board("qna"))
    small = _queries(client, url)
    PostFactory.create_batch(18, board=board("qna"), is_anonymous=True)
    assert _queries(client, url) == small


def test_thread_page_query_count_is_constant(client):
    reader = verified_user()
    client.force_login(reader)
    post = PostFactory()
    AnswerFactory(post=post)
    CommentFactory(post=post)
    url = reverse("community_post", args=[post.public_id])
    small = _queries(client, url)
    answers = AnswerFactory.create_batch(12, post=post)
    for answer in answers[:5]:
        CommentFactory.create_batch(2, post=post, answer=answer)
    CommentFactory.create_batch(5, post=post)
    assert _queries(client, url) == small
