"""Board rules, posts, answers, comments, votes, bookmarks and every bad input named."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from hybridmd.accounts.models import ConsultantProfile
from hybridmd.accounts.tests.factories import PhysicianFactory, UserFactory, grant_role
from hybridmd.community.models import Answer, Comment, Post, PostRevision, Vote
from hybridmd.community.search import search
from hybridmd.community.tests.factories import AnswerFactory, PostFactory, board, verified_user

pytestmark = pytest.mark.django_db


def _new(client, slug="qna", **data):
    payload = {"title": "흉통 환자", "body": "운동 시 흉통이 있습니다.", "tags": "흉통, ECG"}
    payload.update(data)
    return client.post(reverse("community_post_create", args=[slug]), payload)


@pytest.fixture
def member(client):
    user = verified_user()
    client.force_login(user)
    return user


def test_unverified_member_sees_no_board(client):
    client.force_login(PhysicianFactory().user)
    for url in (reverse("community_home"), reverse("community_board", args=["qna"])):
        assert client.get(url).status_code == 403
    post = PostFactory()
    assert client.get(reverse("community_post", args=[post.public_id])).status_code == 403
    assert client.get("/api/v1/community/boards").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("community_home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_member_posts_with_tags_and_is_redirected(client, member):
    response = _new(client)
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("community_post", args=[post.public_id])
    assert sorted(post.tags.values_list("name", flat=True)) == ["ECG", "흉통"]
    assert post.author == member
    page = client.get(response["Location"])
    assert "운동 시 흉통이 있습니다." in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("body", "", 422),
        ("title", "   ", 422),
        ("body", "가" * 100_000, 422),
        ("title", "x" * 201, 422),
    ],
)
def test_empty_or_oversized_posts_are_refused_with_input_kept(client, member, field, value, status):
    response = _new(client, **{field: value, "tags": "보존된태그"})
    assert response.status_code == status
    assert field in response.context["form"].errors
    assert "보존된태그" in response.content.decode()
    assert not Post.objects.exists()


def test_script_injection_renders_inert(client, member):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>[click](javascript:alert(1))'
    _new(
        client, title='<b onmouseover="alert(1)">제목</b>', body=evil, tags="<svg onload=alert(1)>"
    )
    post = Post.objects.get()
    html = client.get(reverse("community_post", args=[post.public_id])).content.decode()
    assert "<script>alert" not in html
    assert (
        "onerror=alert" not in html.replace("&lt;", "<").split("<img")[0]
        or "<img src=x" not in html
    )
    assert 'href="javascript:' not in html
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover" in html
    assert "<svg onload" not in html


def test_anonymous_only_where_the_board_allows(client, member):
    response = _new(client, slug="papers", anonymous="on")
    # The field is not offered on this board, so the post is real-name.
    assert response.status_code == 302
    assert Post.objects.get().is_anonymous is False
    _new(client, slug="qna", anonymous="on", title="익명 질문")
    assert Post.objects.get(title="익명 질문").is_anonymous is True


def test_event_needs_a_start_and_a_sane_end(client, member):
    response = _new(client, slug="events", event_url="https://example.kr/live")
    assert response.status_code == 422
    response = _new(
        client, slug="events", event_starts_at="2026-12-10 19:00", event_ends_at="2026-12-10 18:00"
    )
    assert response.status_code == 422
    response = _new(
        client,
        slug="events",
        event_starts_at="2026-12-10 19:00",
        registration_url="https://example.kr/reg",
    )
    assert response.status_code == 302
    assert Post.objects.get().registration_url == "https://example.kr/reg"


def test_partner_consultant_answers_consultations_only(client):
    lawyer = UserFactory(full_name="김변호")
    grant_role(lawyer, "partner_consultant")
    ConsultantProfile.objects.create(user=lawyer, profession="lawyer", firm_name="법무법인 한빛")
    consult = PostFactory(board=board("consult"))
    clinical = PostFactory(board=board("qna"))
    client.force_login(lawyer)
    ok = client.post(
        reverse("community_answer_create", args=[consult.public_id]),
        {"body": "의료법 제 00조에 따르면..."},
    )
    assert ok.status_code == 302
    answer = Answer.objects.get()
    page = client.get(reverse("community_post", args=[consult.public_id])).content.decode()
    assert "법무법인 한빛" in page
    # Not a verified physician: the clinical boards stay closed.
    assert client.get(reverse("community_post", args=[clinical.public_id])).status_code == 403
    assert answer.post == consult


def test_physician_cannot_answer_a_consultation(client, member):
    consult = PostFactory(board=board("consult"))
    response = client.post(
        reverse("community_answer_create", args=[consult.public_id]), {"body": "제 생각엔"}
    )
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_discussion_boards_take_comments_not_answers(client, member):
    post = PostFactory(board=board("free"))
    response = client.post(
        reverse("community_answer_create", args=[post.public_id]), {"body": "답"}
    )
    assert response.status_code == 422
    assert not Answer.objects.exists()


def test_asker_cannot_answer_own_question(client, member):
    post = PostFactory(author=member)
    response = client.post(
        reverse("community_answer_create", args=[post.public_id]), {"body": "자답"}
    )
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_answer_counts_and_first_answer_time(client, member):
    post = PostFactory()
    client.post(
        reverse("community_answer_create", args=[post.public_id]), {"body": "CT를 권합니다."}
    )
    post.refresh_from_db()
    assert post.answer_count == 1
    assert post.first_answer_at is not None


def test_asker_accepts_one_answer_only(client):
    asker = verified_user()
    post = PostFactory(author=asker)
    first, second = AnswerFactory(post=post), AnswerFactory(post=post)
    client.force_login(asker)
    url = reverse("community_answer_accept", args=[post.public_id, first.pk])
    assert client.post(url).status_code == 302
    post.refresh_from_db()
    assert post.accepted_answer == first
    client.post(reverse("community_answer_accept", args=[post.public_id, second.pk]))
    post.refresh_from_db()
    assert post.accepted_answer == first
    api = client.post(f"/api/v1/community/answers/{second.pk}/accept")
    assert api.status_code == 409


def test_only_the_asker_accepts(client, member):
    post = PostFactory()
    answer = AnswerFactory(post=post)
    assert (
        client.post(
            reverse("community_answer_accept", args=[post.public_id, answer.pk])
        ).status_code
        == 403
    )


def test_editing_keeps_history_and_only_the_author_edits(client, member):
    post = PostFactory(author=member, title="원래 제목", body="원래 내용")
    url = reverse("community_post_edit", args=[post.public_id])
    response = client.post(url, {"title": "고친 제목", "body": "고친 내용", "tags": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "고친 제목"
    revision = PostRevision.objects.get(post=post)
    assert (revision.title, revision.body) == ("원래 제목", "원래 내용")
    history = client.get(reverse("community_post_history", args=[post.public_id])).content.decode()
    assert "원래 내용" in history

    other = PostFactory(title="남의 글")
    response = client.post(
        reverse("community_post_edit", args=[other.public_id]), {"title": "x", "body": "y"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title == "남의 글"
    assert not PostRevision.objects.filter(post=other).exists()


def test_comments_nest_one_level(client, member):
    post = PostFactory()
    url = reverse("community_comment_create", args=[post.public_id])
    client.post(url, {"body": "첫 댓글"})
    top = Comment.objects.get()
    client.post(url, {"body": "답글", "parent": top.pk})
    reply = Comment.objects.get(body="답글")
    client.post(url, {"body": "답글의 답글", "parent": reply.pk})
    deeper = Comment.objects.get(body="답글의 답글")
    assert reply.parent == top
    assert deeper.parent == top  # attached to the thread's top comment, not nested deeper
    post.refresh_from_db()
    assert post.comment_count == 3


def test_voting_twice_is_a_conflict_and_own_vote_refused(client, member):
    post = PostFactory()
    url = reverse("community_vote", args=[post.public_id])
    client.post(url)
    client.post(url)
    assert Vote.objects.count() == 1
    post.refresh_from_db()
    assert post.score == 1
    assert client.post(f"/api/v1/community/posts/{post.public_id}/vote").status_code == 409
    own = PostFactory(author=member)
    assert client.post(f"/api/v1/community/posts/{own.public_id}/vote").status_code == 403
    assert Vote.objects.count() == 1


def test_bookmarks_toggle(client, member):
    post = PostFactory()
    url = reverse("community_bookmark", args=[post.public_id])
    client.post(url)
    assert post.title in client.get(reverse("community_bookmarks")).content.decode()
    client.post(url)
    assert post.title not in client.get(reverse("community_bookmarks")).content.decode()


def test_unknown_post_is_404(client, member):
    response = client.get(reverse("community_post", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404


def test_new_content_is_searchable_after_commit(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _new(client, title="심방세동 항응고 질문", body="CHA2DS2-VASc 2점 환자")
    assert search(member, "심방세동").total == 1
    post = Post.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("community_comment_create", args=[post.public_id]), {"body": "와파린보다 DOAC"}
        )
    assert search(member, "와파린").total == 1


def test_board_pages_without_counting(client, member):
    PostFactory.create_batch(23, board=board("qna"))
    first = client.get(reverse("community_board", args=["qna"]))
    assert len(first.context["page"].posts) == 20
    assert first.context["page"].has_next
    second = client.get(reverse("community_board", args=["qna"]), {"page": "2"})
    assert len(second.context["page"].posts) == 3
    assert not second.context["page"].has_next
    assert second.context["page"].has_previous
    assert {p.pk for p in first.context["page"].posts}.isdisjoint(
        {p.pk for p in second.context["page"].posts}
    )
    assert client.get(reverse("community_board", args=["qna"]), {"page": "x"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        "환자 주민번호 850302-1234567 입니다.",
        "환자명: 홍길동, 흉통으로 내원",
        "등록번호 12345678, 65세 남자",
        "Pt. ID: A1234567, chest pain",
    ],
)
def test_patient_identifiers_in_a_post_are_refused_with_the_text_kept(
    client, member, body, english
):
    client.force_login(member)
    response = client.post(
        reverse("community_post_create", args=["qna"]), {"title": "흉통 질문", "body": body}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "must not be identifiable" in page
    assert html.escape(body) in page or body in page
    assert not Post.objects.exists()


def test_clinical_dates_ages_and_contact_numbers_are_fine(client, member):
    client.force_login(member)
    body = "65세 남자, 2024-03-02 CAG 시행. 문의: 02-2072-1234"
    response = client.post(
        reverse("community_post_create", args=["qna"]), {"title": "CAG 후 흉통", "body": body}
    )
    assert response.status_code == 302
