"""An anonymous question, end to end: nobody but the asker ever learns who asked.

Physician A (a general practitioner) asks on the clinical Q&A board, anonymously, with
the cardiology specialty. Specialist B (cardiology) is paged, follows the notification
and answers under their real name. A accepts the answer. A third physician C reads the
board, the thread, the answerer's page and the community API.

Every response B's and C's browsers receive (pages, redirects, HTMX partials, API JSON),
every URL they land on, the rendered DOM after each step and every email sent to them
is collected, and at the end none may contain A's name, email, licence number or user
id (as a member-page link or a JSON id). The test runs once with a Korean browser and
once with an English one; expected wording comes from Django's own gettext.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response, expect

from hybridmd.accounts.models import PhysicianProfile, Specialty
from hybridmd.accounts.tests.factories import DEFAULT_PASSWORD, PhysicianFactory
from hybridmd.community.models import Board, Notification, NotificationKind, Post
from hybridmd.community.reference_data import sync_boards
from hybridmd.engines.documents import korean_terms

pytestmark = pytest.mark.browser

BOARD_SLUG = "qna"
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TEXT_TYPES = ("text/", "application/json", "+json")
KOREAN_PSEUDONYM = "질문자"
LEAK_CONTEXT = 60  # characters shown either side of a leak in the failure message

QUESTION_TITLE = "익명 질문: 심방세동 항응고 시작 시점"
QUESTION_BODY = (
    "72세 남성, 새로 진단된 심방세동. CHA2DS2-VASc 4점, 최근 위장관 출혈은 없습니다. "
    "DOAC을 바로 시작해도 될까요?"
)
ANSWER_BODY = "CHA2DS2-VASc 4점이면 출혈 위험을 평가한 뒤 DOAC을 바로 시작하시길 권합니다."


# --- helpers ------------------------------------------------------------------------


def translated(message: str, lang: str, **values: str) -> str:
    with translation.override(lang):
        text = translation.gettext(message)
    return text % values if values else text


def path_of(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.fail(
            f"URL {name!r} is not routed: hybridmd.community.urls_notifications belongs "
            "under /community/ (the notifications page is /community/notifications/)"
        )


def sign_in(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{site}/home/")


@dataclass(frozen=True)
class Secret:
    what: str
    pattern: re.Pattern[str]


def asker_secrets(asker: PhysicianProfile) -> list[Secret]:
    user = asker.user
    return [
        Secret("full name", re.compile(re.escape(user.full_name))),
        Secret("email", re.compile(re.escape(user.email), re.IGNORECASE)),
        Secret("licence number", re.compile(rf"(?<!\d){re.escape(asker.licence_number)}(?!\d)")),
        Secret("user id (member page)", re.compile(rf"/community/members/{user.pk}(?!\d)")),
        Secret(
            "user id (JSON)",
            re.compile(rf'"(?:member_id|user_id|author_id|asker_id)"\s*:\s*"?{user.pk}(?!\d)'),
        ),
    ]


def readable_variants(text: str) -> list[str]:
    """The text as sent, plus decoded forms a leak could hide behind."""
    variants = [text, html.unescape(text), unquote(text)]
    try:
        decoded = json.loads(text)
    except ValueError:
        pass
    else:  # JSON escapes Hangul as \\uXXXX unless re-dumped
        variants.append(json.dumps(decoded, ensure_ascii=False))
    return variants


@dataclass
class Seen:
    source: str  # "response", "dom", "url", "location header", "email"
    url: str
    text: str


@dataclass
class Traffic:
    """Everything one person's browser received, scanned for the asker's secrets at the end."""

    who: str
    seen: list[Seen] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def record(self, page: Page) -> None:
        page.on("response", self._on_response)
        page.on("framenavigated", lambda frame: self._add("url", frame.url, frame.url))

    def _add(self, source: str, url: str, text: str) -> None:
        self.seen.append(Seen(source=source, url=url, text=text))

    def _on_response(self, response: Response) -> None:
        self._add("url", response.url, response.url)
        headers = response.headers
        if "location" in headers:
            self._add("location header", response.url, headers["location"])
        content_type = headers.get("content-type", "")
        if 300 <= response.status < 400 or not any(t in content_type for t in TEXT_TYPES):
            return
        try:
            self._add("response", response.url, response.text())
        except PlaywrightError as exc:
            self.unreadable.append(f"{response.url}: {exc.message.splitlines()[0]}")

    def snapshot(self, page: Page) -> None:
        """The DOM as rendered now (after scripts and HTMX swaps), and where the page is.

        Waits for the network to go quiet first: Chromium drops the bodies of a page's
        responses (e.g. the notification badge's HTMX request) once it navigates away,
        so every step lets them be read before moving on.
        """
        page.wait_for_load_state("networkidle")
        self._add("url", page.url, page.url)
        self._add("dom", page.url, page.content())

    def emails(self, address: str) -> list[str]:
        """Record the emails sent to ``address``; returns their texts."""
        texts = [f"{m.subject}\n{m.body}" for m in mail.outbox if address in m.to]
        for text in texts:
            self._add("email", f"mailto:{address}", text)
        return texts

    def bodies_from(self, url_suffix: str) -> list[str]:
        return [s.text for s in self.seen if s.source == "response" and s.url.endswith(url_suffix)]

    def leaks(self, secrets: list[Secret]) -> list[str]:
        """One line per (secret, source, URL) found: what leaked, where, with context."""
        found: dict[tuple[str, str, str], str] = {}
        for seen in self.seen:
            for secret in secrets:
                key = (secret.what, seen.source, seen.url)
                if key in found:
                    continue
                for variant in readable_variants(seen.text):
                    match = secret.pattern.search(variant)
                    if match is None:
                        continue
                    start, end = match.start(), match.end()
                    excerpt = variant[max(start - LEAK_CONTEXT, 0) : end + LEAK_CONTEXT]
                    found[key] = (
                        f"{self.who}: {secret.what} {match.group()!r} in {seen.source} of "
                        f"{seen.url}: …{' '.join(excerpt.split())}…"
                    )
                    break
        return list(found.values())


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def korean_analyser() -> None:
    """Build the search index's Kiwi analyser before any browser waits on it.

    Posting indexes the text, and the first use of Kiwi in a process loads its model:
    seconds, which under ``-n`` load can exceed the click's 10 s wait for the question
    to be posted. The journey is about anonymity, not the server's first-post latency.
    """
    korean_terms.index_terms(QUESTION_BODY)


@pytest.fixture(autouse=True)
def boards(reference_data: None) -> None:
    """Boards come from a data migration too, which each flush wipes out."""
    sync_boards(Board)


@dataclass(frozen=True)
class Cast:
    asker: PhysicianProfile  # A: general practitioner, asks anonymously
    specialist: PhysicianProfile  # B: cardiologist, paged, answers
    reader: PhysicianProfile  # C: another verified physician, only reads


@pytest.fixture
def cast(lang: str) -> Cast:
    cardiology = Specialty.objects.get(code="IM-CARD")
    family_medicine = Specialty.objects.get(code="FM")
    asker = PhysicianFactory(
        verified=True,
        specialty=None,
        licence_number="583927",
        workplace_name="도하윤내과의원",
        user__full_name="도하윤",
        user__email="doha.asker@example.kr",
        user__language=lang,
    )
    specialist = PhysicianFactory(
        verified=True,
        specialty=cardiology,
        licence_number="61842",
        user__full_name="윤서진",
        user__email="yoon.cardio@example.kr",
        user__language=lang,
    )
    reader = PhysicianFactory(
        verified=True,
        specialty=family_medicine,
        licence_number="70315",
        user__full_name="한지우",
        user__email="han.reader@example.kr",
        user__language=lang,
    )
    return Cast(asker=asker, specialist=specialist, reader=reader)


# --- the journey --------------------------------------------------------------------


def test_anonymous_question_keeps_the_asker_hidden_from_answerer_and_readers(
    new_page: Callable[[str], Page], site: str, lang: str, cast: Cast
) -> None:
    # Expected wording follows the catalogue the server renders with; that Korean readers
    # see the Korean pseudonym is checked last, once everything else has been.
    pseudonym = translated("Asker", lang)
    specialist_name = cast.specialist.user.full_name
    board = Board.objects.get(slug=BOARD_SLUG)
    board_name = board.name_ko if lang == "ko" else board.name_en  # 임상 Q&A, Clinical Q&A
    accepted_badge = translated("Accepted by the asker", lang)
    notifications_path = path_of("notifications_list")

    # 1. A asks on the clinical Q&A board, anonymously, for cardiology.
    asker = new_page("asker")
    sign_in(asker, site, cast.asker.user.email)
    asker.goto(f"{site}/community/")
    asker.locator("main").get_by_role("link", name=board_name, exact=True).click()
    asker.wait_for_url(f"{site}/community/b/{BOARD_SLUG}/")
    ask = asker.locator(f"main a[href='/community/b/{BOARD_SLUG}/new/']")
    expect(ask).to_have_text(translated("Ask a question", lang))
    ask.click()
    asker.wait_for_url(f"{site}/community/b/{BOARD_SLUG}/new/")
    form = asker.locator("main form.form")
    form.locator("input[name=title]").fill(QUESTION_TITLE)
    form.locator("textarea[name=body]").fill(QUESTION_BODY)
    cardiology = Specialty.objects.get(code="IM-CARD")
    form.locator("#id_specialty").select_option(value=str(cardiology.pk))
    form.locator("#id_anonymous").check()
    form.locator("button[type=submit]").click()
    asker.wait_for_url(re.compile(rf"^{re.escape(site)}/community/p/{UUID_PATTERN}/$"))
    thread_url = asker.url
    public_id = thread_url.rstrip("/").rsplit("/", 1)[1]
    expect(asker.locator("#post .meta")).to_contain_text(translated("You asked anonymously", lang))
    expect(asker.locator("#post .meta .author.pseudonym")).to_have_text(pseudonym)

    post = Post.objects.get(public_id=public_id)
    assert post.is_anonymous
    assert post.specialty == cardiology
    assert post.author == cast.asker.user
    paged = Notification.objects.filter(
        recipient=cast.specialist.user, post=post, kind=NotificationKind.PAGED
    )
    assert paged.count() == 1, "the cardiologist was not paged for the question"
    assert paged.get().actor_display == pseudonym

    # 2. B is notified, follows the notification and answers.
    specialist = new_page("specialist")
    b_traffic = Traffic("B (specialist)")
    b_traffic.record(specialist)
    sign_in(specialist, site, cast.specialist.user.email)
    b_traffic.snapshot(specialist)
    notifications_link = specialist.locator(f"header a[href='{notifications_path}']")
    expect(notifications_link.get_by_test_id("notification-count")).to_have_text("1")
    notifications_link.click()
    specialist.wait_for_url(f"{site}{notifications_path}")
    page_row = specialist.get_by_test_id("notifications").locator("li", has_text=QUESTION_TITLE)
    expect(page_row).to_have_count(1)
    expect(page_row).to_contain_text(
        translated("%(actor)s asked a question in your specialty", lang, actor=pseudonym)
    )
    b_traffic.snapshot(specialist)
    page_row.locator("a.post-title").click()
    specialist.wait_for_url(thread_url)
    expect(specialist.locator("#post h1")).to_have_text(QUESTION_TITLE)
    expect(specialist.locator("#post .meta .author.pseudonym")).to_have_text(pseudonym)
    expect(specialist.locator("#post .meta .author a")).to_have_count(0)
    b_traffic.snapshot(specialist)

    answer_form = specialist.locator("main form[action$='/answer/']")
    answer_form.locator("textarea[name=body]").fill(ANSWER_BODY)
    answer_form.locator("button[type=submit]").click()
    specialist.wait_for_url(re.compile(rf"^{re.escape(thread_url)}#answer-\d+$"))
    answer = specialist.locator("main article.answer", has_text=ANSWER_BODY)
    expect(answer.locator(".author")).to_contain_text(specialist_name)
    b_traffic.snapshot(specialist)

    # 3. A accepts the answer.
    asker.goto(thread_url)
    a_answer = asker.locator("main article.answer", has_text=ANSWER_BODY)
    expect(a_answer.locator(".author")).to_contain_text(specialist_name)
    a_answer.get_by_test_id("accept").click()
    asker.wait_for_url(thread_url)
    expect(a_answer.locator(".badge")).to_have_text(f"✓ {accepted_badge}")
    expect(asker.get_by_test_id("accept")).to_have_count(0)

    # B is told, still under the pseudonym.
    specialist.goto(f"{site}/community/")
    b_traffic.snapshot(specialist)
    specialist.locator(f"header a[href='{notifications_path}']").click()
    specialist.wait_for_url(f"{site}{notifications_path}")
    accepted_row = specialist.get_by_test_id("notifications").locator(
        "li", has_text=translated("%(actor)s accepted your answer", lang, actor=pseudonym)
    )
    expect(accepted_row).to_have_count(1)
    expect(accepted_row).to_contain_text(QUESTION_TITLE)
    b_traffic.snapshot(specialist)
    accepted_row.locator("a.post-title").click()
    specialist.wait_for_url(thread_url)
    expect(specialist.locator("main article.answer.accepted")).to_contain_text(accepted_badge)
    b_traffic.snapshot(specialist)

    # 4. C reads: community home, the board, the thread, B's page, the API.
    reader = new_page("reader")
    c_traffic = Traffic("C (reader)")
    c_traffic.record(reader)
    sign_in(reader, site, cast.reader.user.email)
    c_traffic.snapshot(reader)
    reader.goto(f"{site}/community/")
    latest = reader.locator("main li.post-row", has_text=QUESTION_TITLE)
    expect(latest.locator(".author.pseudonym")).to_have_text(pseudonym)
    c_traffic.snapshot(reader)
    reader.locator("main").get_by_role("link", name=board_name, exact=True).click()
    reader.wait_for_url(f"{site}/community/b/{BOARD_SLUG}/")
    row = reader.locator("main li.post-row", has_text=QUESTION_TITLE)
    expect(row.locator(".author.pseudonym")).to_have_text(pseudonym)
    expect(row.locator(".author a")).to_have_count(0)
    c_traffic.snapshot(reader)
    row.locator("a.post-title").click()
    reader.wait_for_url(thread_url)
    expect(reader.locator("#post .meta .author.pseudonym")).to_have_text(pseudonym)
    expect(reader.locator("#post .meta .author a")).to_have_count(0)
    accepted = reader.locator("main article.answer.accepted")
    expect(accepted).to_have_count(1)
    expect(accepted.locator(".badge")).to_have_text(f"✓ {accepted_badge}")
    expect(accepted).to_contain_text(ANSWER_BODY)
    answerer_link = accepted.locator(".author a")
    expect(answerer_link).to_have_text(specialist_name)
    expect(reader.get_by_test_id("accept")).to_have_count(0)
    c_traffic.snapshot(reader)
    answerer_link.click()
    reader.wait_for_url(f"{site}/community/members/{cast.specialist.user.pk}/")
    expect(reader.locator("main")).to_contain_text(specialist_name)
    c_traffic.snapshot(reader)

    post_api = f"/api/v1/community/posts/{public_id}"
    board_api = f"/api/v1/community/boards/{BOARD_SLUG}/posts"
    for api_path in (post_api, board_api):
        response = reader.goto(f"{site}{api_path}")
        assert response is not None
        assert response.status == 200, api_path
        assert response.headers["content-type"].startswith("application/json"), api_path
        c_traffic.snapshot(reader)

    # 5. Nothing B or C received names A.
    specialist_mail = b_traffic.emails(cast.specialist.user.email)
    assert len(specialist_mail) == 2, specialist_mail  # paged, then accepted (no quiet hours)
    assert all(pseudonym in text for text in specialist_mail), specialist_mail
    c_traffic.emails(cast.reader.user.email)
    for traffic, expected in (
        (b_traffic, (notifications_path, f"/community/p/{public_id}/")),
        (c_traffic, ("/community/", f"/community/b/{BOARD_SLUG}/", post_api, board_api)),
    ):
        for suffix in expected:  # the scan really saw these responses' bodies
            assert traffic.bodies_from(suffix), f"{traffic.who}: no body recorded for {suffix}"
    secrets = asker_secrets(cast.asker)
    leaks = b_traffic.leaks(secrets) + c_traffic.leaks(secrets)
    assert not leaks, "the anonymous asker was revealed:\n" + "\n".join(leaks)
    unreadable = b_traffic.unreadable + c_traffic.unreadable
    unchecked = [u for u in unreadable if not u.startswith(f"{site}/static/")]
    assert not unchecked, "responses whose bodies could not be checked:\n" + "\n".join(unchecked)

    # 6. The API describes the thread as the pages do.
    (thread_json,) = c_traffic.bodies_from(post_api)
    thread_data: dict[str, Any] = json.loads(thread_json)
    assert thread_data["author"] == {
        "name": pseudonym,
        "specialty": "",
        "affiliation": "",
        "is_pseudonym": True,
        "member_id": None,
    }
    assert thread_data["accepted"] is True
    (answer_data,) = thread_data["answers"]
    assert answer_data["accepted"] is True
    assert answer_data["author"]["name"] == specialist_name
    assert answer_data["author"]["member_id"] == cast.specialist.user.pk
    (board_json,) = c_traffic.bodies_from(board_api)
    (listed,) = [p for p in json.loads(board_json) if p["id"] == public_id]
    assert listed["author"]["is_pseudonym"] is True
    assert listed["author"]["name"] == pseudonym
    assert listed["author"]["member_id"] is None
    assert listed["accepted"] is True

    # 7. Korean readers see the Korean pseudonym.
    if lang == "ko":
        assert pseudonym == KOREAN_PSEUDONYM, (
            f"Korean pages call the anonymous asker {pseudonym!r}, not {KOREAN_PSEUDONYM!r}: "
            "the Korean catalogue (hybridmd/locale/ko/LC_MESSAGES/django.po) has no "
            "translation for the community's 'Asker'"
        )
