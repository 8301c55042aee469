"""An anonymous asker is 'Asker' everywhere: pages, API, lists, profiles, page source, URLs."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hybridmd.community.models import Post
from hybridmd.community.tests.factories import (
    AnswerFactory,
    CommentFactory,
    PostFactory,
    verified_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_thread():
    asker = verified_user(
        user__full_name="이비밀", user__email="secret.asker@example.kr", licence_number="777001"
    )
    post = PostFactory(author=asker, is_anonymous=True, title="익명 흉통 질문")
    answer = AnswerFactory(post=post)
    CommentFactory(post=post, author=asker, body="질문자가 남긴 추가 설명")
    CommentFactory(post=post, answer=answer, author=asker, body="답변에 대한 질문자 댓글")
    return asker, post


def _secrets(asker) -> list[str]:
    return [
        asker.full_name,
        asker.email,
        asker.physician_profile.licence_number,
        f"/community/members/{asker.pk}/",
        f'"member_id": {asker.pk}',
    ]


def test_no_page_or_api_response_reveals_the_asker(client, anonymous_thread):
    asker, post = anonymous_thread
    reader = verified_user()
    client.force_login(reader)
    urls = [
        reverse("community_home"),
        reverse("community_board", args=["qna"]),
        reverse("community_board", args=["qna"]) + "?answered=yes",
        reverse("community_post", args=[post.public_id]),
        "/api/v1/community/boards/qna/posts",
        f"/api/v1/community/posts/{post.public_id}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)
        for secret in _secrets(asker):
            assert secret not in body, (url, secret)
    thread = client.get(reverse("community_post", args=[post.public_id])).content.decode()
    assert (
        thread.count("질문자") + thread.count("Asker") >= 3
    )  # question + both of the asker's comments


def test_answers_carry_real_names(client, anonymous_thread):
    _, post = anonymous_thread
    answerer = post.answers.get().author
    client.force_login(verified_user())
    page = client.get(reverse("community_post", args=[post.public_id])).content.decode()
    assert answerer.full_name in page
    assert answerer.physician_profile.specialty.name_ko in page


def test_askers_public_page_lists_no_anonymous_question(client, anonymous_thread):
    asker, post = anonymous_thread
    PostFactory(author=asker, title="실명 글")
    client.force_login(verified_user())
    page = client.get(reverse("community_member", args=[asker.pk])).content.decode()
    assert "실명 글" in page
    assert post.title not in page


def test_api_create_anonymous_question_hides_author(client):
    asker = verified_user(user__full_name="API익명")
    client.force_login(asker)
    response = client.post(
        "/api/v1/community/boards/qna/posts",
        {"title": "API 질문", "body": "내용", "anonymous": True, "specialty": "IM-CARD"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["author"]["is_pseudonym"] is True
    assert body["author"]["member_id"] is None
    assert "API익명" not in json.dumps(body, ensure_ascii=False)
    assert Post.objects.get().is_anonymous
