"""community.search on whichever database runs the suite (SQLite FTS5 or PostgreSQL).

The engine alone first, then search on the database. The factories do not index; each
test indexes what it creates, as the services do.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from ninja import NinjaAPI

from hybridmd.accounts.models import Specialty
from hybridmd.accounts.tests.factories import PhysicianFactory, UserFactory
from hybridmd.community.api_search import router as search_router
from hybridmd.community.models import Post, SearchEntry, Tag, Visibility
from hybridmd.community.search import index_answer, index_comment, index_post, search
from hybridmd.community.search.snippets import highlight_spans, snippet
from hybridmd.community.tests.factories import AnswerFactory, CommentFactory, PostFactory, board
from hybridmd.engines.documents import korean_terms as kt

# A URL configuration with the search page and the API mounted as the project will.
search_api = NinjaAPI(urls_namespace="community-search-test", docs_url=None)
search_api.add_router("/community", search_router)


@search_api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return search_api.create_response(request, {"detail": "forbidden"}, status=403)


urlpatterns = [
    path("community/search/", include("hybridmd.community.urls_search")),
    path("api/search-test/", search_api.urls),
    path("", include("hybridmd.config.urls")),  # the rest of the site, for base.html
]
SEARCH_URLS = pytest.mark.urls("hybridmd.community.tests.test_search")
API = "/api/search-test/community/search"


def post(title: str = "질문", body: str = "본문", **kwargs) -> Post:
    item = PostFactory(title=title, body=body, **kwargs)
    index_post(item)
    return item


def titles(page) -> list[str]:
    return [r.title for r in page.results]


@pytest.fixture
def member(db):
    return PhysicianFactory(verified=True).user


def test_korean_particles_dropped_compounds_joined_suffixes_added():
    assert set(kt.index_terms("흉통이 있습니다")) & {"흉통", "이", "습니다"} == {"흉통"}
    assert {"경색증", "경색", "심근경색증", "심근경색"} <= set(kt.index_terms("심근경색증"))
    assert "통" not in kt.index_terms("통증")  # a suffix is stripped only with two syllables left
    assert "위" not in kt.index_terms("위염")  # and 염 never


MATCHES = [  # (query, document, found?)
    ("심근경색", "급성 심근경색증으로 입원", True), ("심근경색증", "심근경색 의심 환자", True),
    ("심근경색증", "급성심근경색", True), ("급성심근경색", "급성 심근경색증", True),
    ("흉통", "흉통이 심함", True), ("당뇨병", "당뇨 환자의 혈당", True),
    ("당뇨", "제2형 당뇨병", True), ("갑상선기능저하증", "갑상선 기능 저하", True),
    ("위염", "위 내시경", False), ("통증", "흉통", False), ("고혈압", "저혈압", False),
    ("심근경색", "심근염", False), ("chest pain treatment", "Treating CHEST pains", True),
    ("I21.9", "I21.9", True), ("I21.9", "I21.4", False), ("I21.9", "I21", False),
    ("I21", "I21.4", True), ("E11.6", "E11.65", True), ("E11.65", "E11.6", False),
]  # fmt: skip


@pytest.mark.parametrize(("query", "document", "expected"), MATCHES)
def test_what_matches_what(query, document, expected):
    assert kt.matches(kt.parse_query(query), kt.index_terms(document)) is expected


def test_english_stemming_and_codes():
    assert kt.stem("pains") == kt.stem("pain") == "pain"
    assert kt.stem("treated") == kt.stem("treating") == kt.stem("treats") == kt.stem("treatment")
    assert kt.stem("studies") == kt.stem("study")
    assert kt.stem("stopped") == kt.stem("stop")
    assert "the" not in kt.index_terms("the patient")
    assert kt.index_terms("(E11.65).") == ["e11.65", "e11.6", "e11"]
    assert kt.parse_query("i21.9") == [(("i21.9",),)]


def test_snippet_marks_matches_in_a_window():
    text = "앞부분 " * 80 + "환자는 급성 심근경색증으로 입원했다. " + "뒷부분 " * 80
    segments = snippet(text, kt.query_terms("심근경색"), width=120)
    assert ("심근경색증", True) in segments
    assert segments[0] == segments[-1] == ("…", False)
    assert sum(len(s) for s, _ in segments) <= 130


@pytest.mark.parametrize("query", ["study chest pain", "흉통", "심근경색", "I21", "E11.6"])
def test_fast_highlighting_agrees_with_the_full_analysis(query):
    text = kt.normalize("Studies of chest pains; 흉통이 있고 흉부 통증. I21.9, E11.65 급성심근경색")
    terms = kt.query_terms(query)
    assert highlight_spans(text, terms) == kt.matching_spans(text, terms) != []


_KOREAN = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
_MIXED = st.text(
    st.one_of(_KOREAN, st.sampled_from("abcIEST0129.#@<>&;:-_ \n\t'\"ㄱㅋᄀ漢字٣Ⅻ①ｆ")), max_size=80
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), _MIXED))
def test_engine_never_crashes(text):
    for term in kt.index_terms(text) + kt.query_terms(text):  # one FTS5/tsquery token each
        assert term
        assert all(ch.isalnum() or ch == "." for ch in term)
    segments = snippet(text, kt.query_terms(text))
    shown = "".join(s for s, _ in segments[segments[:1] == [("…", False)] :])
    assert shown.removesuffix("…") in " ".join(kt.normalize(text).split())
    normal = kt.normalize(text)
    assert all(0 <= a < b <= len(normal) for a, b in highlight_spans(normal, kt.query_terms(text)))


@settings(max_examples=150, deadline=None)
@given(_MIXED)
def test_every_text_finds_itself(text):
    concepts = kt.parse_query(text)
    if concepts:
        assert kt.matches(concepts, kt.index_terms(text))


@pytest.mark.parametrize(
    ("query", "body"),
    [m[:2] for m in MATCHES[:2]] + [("흉통", "흉통이"), ("chest pain", "Chest pains")],
)
def test_morphology_on_the_database(member, query, body):
    post(title="케이스 공유", body=body)
    post(title="다른 이야기", body="골절 환자의 석고 고정 기간")
    page = search(member, query)
    assert titles(page) == ["케이스 공유"]
    assert page.total == 1


def test_the_database_agrees_with_the_engine(member):
    """Each backend's MATCH / tsquery gives exactly the threads the engine's rule gives."""
    bodies = [
        "급성 심근경색증 I21.9", "심근 경색 의심", "흉통이 심함", "가슴 통증", "대동맥박리 진단",
        "Troponin I elevated, chest pains", "E11.65 당뇨병성 신증", "고혈압성 심장병",
        "위염 내시경", "beta-blocker 1.5 mg 복용", "漢字 醫學 기록", "ＦＵＬＬ-width ＥＣＧ 판독",
    ]  # fmt: skip
    for body in bodies:
        post(title="사례", body=body)
    rows = list(SearchEntry.objects.values_list("post_id", "terms"))
    for query in (
        "심근경색증",
        "흉통",
        "I21",
        "chest pain",
        "당뇨",
        "ECG",
        "고혈압",
        "1.5",
        "醫學",
    ):
        expected = {p for p, terms in rows if kt.matches(kt.parse_query(query), terms.split())}
        assert expected, query
        assert search(member, query, limit=50).total == len(expected), query


def test_codes_on_the_database(member):
    post(title="stemi", body="진단 I21.9 급성 심근경색")
    post(title="nstemi", body="진단 I21.4")
    post(title="diabetes", body="E11.65 혈당 조절 불량")
    assert titles(search(member, "I21.9")) == ["stemi"]
    assert sorted(titles(search(member, "i21"))) == ["nstemi", "stemi"]
    assert titles(search(member, "E11.6")) == ["diabetes"]
    assert titles(search(member, "E11.66")) == []


def test_filters(member):
    cardiology = Specialty.objects.get(code="IM-CARD")
    long_ago = timezone.now() - timedelta(days=40)
    post(title="흉통 옛 질문", body="흉통", specialty=cardiology, created_at=long_ago)
    answered = post(title="흉통 답변 달림", body="흉통", board=board("cases"))
    index_answer(AnswerFactory(post=answered, body="관상동맥 CT"))
    tagged = post(title="흉통 태그", body="흉통")
    tagged.tags.add(Tag.objects.create(name="ECG"))
    index_post(tagged)

    assert search(member, "흉통").total == 3
    assert titles(search(member, "흉통", board="cases")) == ["흉통 답변 달림"]
    assert titles(search(member, "흉통", board=board("cases"))) == ["흉통 답변 달림"]
    assert titles(search(member, "흉통", specialty="IM-CARD")) == ["흉통 옛 질문"]
    assert titles(search(member, "흉통", specialty="IM")) == ["흉통 옛 질문"]  # parent includes
    assert titles(search(member, "흉통", specialty=cardiology)) == ["흉통 옛 질문"]
    assert titles(search(member, "흉통", specialty="GS")) == []
    assert titles(search(member, "흉통", tag="ECG")) == ["흉통 태그"]
    assert titles(search(member, "흉통", tag="EC")) == []
    assert titles(search(member, "흉통", answered=True)) == ["흉통 답변 달림"]
    assert search(member, "흉통", answered=False).total == 2
    today = timezone.localdate()
    assert search(member, "흉통", date_from=today - timedelta(days=7)).total == 2
    assert titles(search(member, "흉통", date_to=today - timedelta(days=30))) == ["흉통 옛 질문"]
    assert search(member, "흉통", date_from=today, date_to=today).total == 2


def changed(item, index, **fields) -> None:
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    index(item)


def test_thread_changes_reach_its_answers_and_comments(member):
    question = post(title="질문", body="내용")
    answer = AnswerFactory(post=question, body="아스피린 부하 용량")
    index_answer(answer)
    comment = CommentFactory(post=question, answer=answer, body="클로피도그렐 병용")
    index_comment(comment)
    assert search(member, "아스피린").results[0].kind == "answer"
    assert search(member, "아스피린", answered=True).total == 1

    changed(question, index_post, board=board("cases"))
    assert search(member, "클로피도그렐", board="cases").total == 1

    changed(question, index_post, status=Visibility.HIDDEN)
    assert search(member, "아스피린").total == search(member, "클로피도그렐").total == 0

    changed(question, index_post, status=Visibility.VISIBLE)
    assert search(member, "클로피도그렐").total == 1

    changed(answer, index_answer, status=Visibility.REMOVED)
    assert search(member, "아스피린").total == 0
    assert search(member, "클로피도그렐").total == 0  # a comment on a removed answer
    assert search(member, "질문", answered=True).total == 0


def test_hidden_and_removed_items_are_not_found(member):
    hidden = post(title="숨김 글", body="브루가다 증후군", status=Visibility.HIDDEN)
    index_comment(CommentFactory(body="브루가다 패턴", status=Visibility.REMOVED))
    shown = CommentFactory(body="브루가다 의심")
    index_comment(shown)
    assert search(member, "브루가다").total == 1
    assert not SearchEntry.objects.filter(post=hidden, kind="post").exists()
    changed(shown, index_comment, status=Visibility.HIDDEN)
    assert search(member, "브루가다").total == 0


def test_one_result_per_thread_with_its_best_item(member):
    question = post(title="심방세동 항응고", body="심방세동 환자의 항응고 치료")
    for body in ("심방세동 에서 NOAC", "심방세동 이면 CHA2DS2-VASc 계산"):
        index_answer(AnswerFactory(post=question, body=body))
    page = search(member, "심방세동")
    assert page.total == 1
    assert [r.kind for r in page.results] == ["post"]


def test_title_match_ranks_above_body_mention(member):
    for n in range(8):  # bm25 needs a corpus: a term in every document carries no weight
        post(title=f"다른 질문 {n}", body="골절 환자의 석고 고정 기간")
    post(title="여러 이야기", body="외래에서 본 환자들. " * 5 + "그중 한 명은 대동맥박리 였다.")
    post(title="대동맥박리 진단", body="흉부 CT 소견을 공유합니다.")
    assert titles(search(member, "대동맥박리")) == ["대동맥박리 진단", "여러 이야기"]


def test_snippets_are_escaped_and_marked(member):
    post(title="<b>제목</b> 흉통", body="<script>alert('흉통')</script> 흉통 & 호흡곤란")
    result = search(member, "흉통").results[0]
    assert "<script>" not in result.snippet_html
    assert "&lt;script&gt;" in result.snippet_html
    assert "<mark>흉통</mark>" in result.snippet_html
    assert "&amp;" in result.snippet_html
    assert result.title_html == "&lt;b&gt;제목&lt;/b&gt; <mark>흉통</mark>"


@SEARCH_URLS
def test_unverified_and_anonymous_users_are_refused(db, client):
    post(title="흉통", body="흉통")
    applicant = PhysicianFactory(verified=False).user
    for user in (applicant, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            search(user, "흉통")
    assert client.get("/community/search/", {"q": "흉통"}).status_code == 302  # to sign in
    assert client.get(API, {"q": "흉통"}).status_code == 401
    client.force_login(applicant)
    assert client.get("/community/search/", {"q": "흉통"}).status_code == 403
    assert client.get(API, {"q": "흉통"}).status_code == 403


@SEARCH_URLS
def test_anonymous_asker_cannot_be_found_or_named(member, client):
    asker = UserFactory(full_name="홍비밀", email="hong@secret.kr")
    PhysicianFactory(verified=True, user=asker)
    question = post(title="익명 질문 흉통", body="흉통 환자", author=asker, is_anonymous=True)
    index_comment(CommentFactory(post=question, author=asker, body="추가로 흉통 양상"))
    index_answer(AnswerFactory(post=question, body="흉통 감별"))

    assert search(member, "홍비밀").total == 0
    page = search(member, "흉통")
    assert page.total == 1
    stored = SearchEntry.objects.filter(post=question).values_list("snippet_source", "terms")
    assert "홍비밀" not in repr(page.results) + repr(list(stored))
    assert "hong@secret.kr" not in repr(page.results) + repr(list(stored))

    client.force_login(member)
    body = client.get(API, {"q": "흉통"}).json()
    html = client.get("/community/search/", {"q": "흉통"}).content.decode()
    assert set(body["results"][0]) == {
        "kind", "post_id", "title", "title_html", "board", "board_name", "snippet_html",
        "created_at", "url",
    }  # fmt: skip
    secrets = ("홍비밀", "hong@secret.kr", f"/members/{asker.pk}/", f'"member_id": {asker.pk}')
    for text in (json.dumps(body, ensure_ascii=False), html):
        assert not [secret for secret in secrets if secret in text]


def test_query_count_is_constant(member):
    post(title="흉통 하나", body="흉통")

    def queries() -> int:
        user = type(member).objects.get(pk=member.pk)  # no cached grants
        with CaptureQueriesContext(connection) as captured:
            page = search(user, "흉통", limit=50)
        assert page.results
        return len(captured)

    few = queries()
    for n in range(15):
        question = post(title=f"흉통 {n}", body="흉통", board=board("cases" if n % 2 else "qna"))
        index_answer(AnswerFactory(post=question, body="흉통 평가"))
    assert queries() == few <= 3
    assert search(member, "흉통", limit=50).total == 16


def test_paging(member):
    for n in range(5):
        post(title=f"흉통 {n}", body="흉통")
    first = search(member, "흉통", limit=2)
    second = search(member, "흉통", limit=2, offset=2)
    beyond = search(member, "흉통", limit=2, offset=10)
    assert first.total == second.total == beyond.total == 5
    assert (first.has_next, second.has_previous) == (True, True)
    assert not set(titles(first)) & set(titles(second))
    assert beyond.results == []
    assert search(member, "이 그 ").results == []  # nothing searchable in the query


def test_reindex_command_rebuilds_everything(member):
    question = post(title="폐색전증 의심", body="D-dimer 상승")
    index_answer(AnswerFactory(post=question, body="CT 폐동맥 조영술"))
    hidden = PostFactory(title="폐색전증 숨김", status=Visibility.HIDDEN)
    SearchEntry.objects.all().delete()
    assert search(member, "폐색전증").total == 0
    call_command("search_reindex", "--batch-size", "1", stdout=io.StringIO())
    assert titles(search(member, "폐색전증")) == ["폐색전증 의심"]
    assert search(member, "폐동맥", answered=True).total == 1
    assert not SearchEntry.objects.filter(post=hidden).exists()


@SEARCH_URLS
def test_search_page(member, client):
    post(title="심근경색 질문", body="급성 심근경색증 환자의 <i>약물</i>")
    client.force_login(member)
    response = client.get("/community/search/", {"q": "심근경색", "answered": "no"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>심근경색증</mark>" in html
    assert "&lt;i&gt;" in html
    assert "<mark>" not in client.get("/community/search/").content.decode()  # no query yet
    nothing = client.get("/community/search/", {"q": "없는단어"}, headers={"HX-Request": "true"})
    assert 'id="search-results"' in nothing.content.decode()
    assert client.get("/community/search/", {"q": "x", "date_from": "nope"}).status_code == 200


@SEARCH_URLS
def test_api(member, client):
    question = post(title="폐렴 항생제", body="지역사회획득 폐렴")
    client.force_login(member)
    body = client.get(API, {"q": "폐렴", "board": "qna", "limit": 5}).json()
    assert body["total"] == 1
    assert body["results"][0]["post_id"] == str(question.public_id)
    assert body["results"][0]["url"].endswith(f"/p/{question.public_id}/")
    assert "<mark>폐렴</mark>" in body["results"][0]["snippet_html"]
    assert client.get(API, {"q": "폐렴", "limit": 500}).status_code == 422
    today = date.today().isoformat()
    assert client.get(API, {"q": "폐렴", "date_from": today}).json()["total"] == 1
