"""The benchmark seeder (bench/seed.py) at toy size, so it keeps working as the models change.

Runs on SQLite (bulk_create) and PostgreSQL (COPY) alike; the pages the benchmark
measures must render the seeded data.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from bench import seed
from hybridmd.accounts import permissions
from hybridmd.accounts.models import User
from hybridmd.community.models import Answer, Comment, Post
from hybridmd.community.rendering import render_markdown

pytestmark = pytest.mark.django_db

TINY = seed.Sizes(members=20, posts=50, comments=100, answers=5, question_comments=6)


def test_seed_writes_the_requested_counts_once():
    first = seed.ensure_seeded(TINY)
    assert first.seeded
    assert seed.dataset_counts() == seed.Counts(
        members=20, posts=50, comments=100, question_answers=5
    )
    question = Post.objects.get(public_id=seed.QUESTION_PUBLIC_ID)
    assert question.board.slug == "qna"
    assert question.answer_count == 5
    assert question.accepted_answer_id is not None
    assert Comment.objects.filter(post=question).count() == 6
    assert sum(Post.objects.values_list("comment_count", flat=True)) == 100
    assert all(
        c.parent is None or (c.parent.post_id == c.post_id and c.parent.parent_id is None)
        for c in Comment.objects.select_related("parent")
    )
    assert 0 < Post.objects.filter(is_anonymous=True).count() < 50
    for post in Post.objects.order_by("pk")[:5]:
        assert post.body_html == render_markdown(post.body)

    if seed.search_available():
        assert first.search_entries == 50 + 5 + 100

    again = seed.ensure_seeded(TINY)
    assert not again.seeded
    assert seed.dataset_counts().posts == 50
    # Sequences moved past the explicit ids: ordinary inserts still work.
    assert Answer.objects.create(post=question, author=question.author, body="x", body_html="x").pk


def test_a_different_dataset_is_not_mixed_in():
    seed.ensure_seeded(TINY, reindex=False)
    with pytest.raises(seed.SeedMismatchError):
        seed.ensure_seeded(seed.Sizes(members=20, posts=60, comments=100, answers=5))


def test_seeded_reader_sees_the_benchmarked_pages(client):
    seed.ensure_seeded(TINY, reindex=False)
    reader = User.objects.get(email=seed.READER_EMAIL)
    assert permissions.can_see_community(reader)
    assert permissions.has_role(reader, "specialist")
    client.force_login(reader)

    board = client.get(reverse("community_board", args=["qna"]))
    assert board.status_code == 200
    assert seed.QUESTION_TITLE in board.content.decode()

    thread = client.get(reverse("community_post", args=[seed.QUESTION_PUBLIC_ID]))
    assert thread.status_code == 200
    assert thread.content.decode().count('id="answer-') == 5
