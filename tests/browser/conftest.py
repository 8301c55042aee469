"""Browser fixtures: one Chromium per session, a fresh context (cookies, locale) per test.

On a failing test a full-page screenshot is written to the test's ``tmp_path`` and its
path printed with the failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from hybridmd.accounts.models import Role, Specialty, User
from hybridmd.accounts.reference_data import sync_roles, sync_specialties
from hybridmd.accounts.tests.factories import UserFactory, grant_role, with_totp

# Playwright's sync API keeps an asyncio event loop in the test thread, and Django's
# async-safety check then refuses ORM calls from that thread. The loop never runs our
# ORM calls concurrently, so it is safe to turn the check off for these tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("HYBRIDMD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
PROOF_SIZE = (640, 400)

# Browser locale (sent as Accept-Language) -> the Django language it must select.
LOCALES = {"ko-KR": "ko", "en-US": "en"}

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report so the ``page`` fixture can tell a failure."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)"
            " or set HYBRIDMD_CHROMIUM"
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Roles and specialties come from a data migration, which each flush wipes out."""
    sync_roles(Role)
    sync_specialties(Specialty)


@pytest.fixture
def site(live_server: LiveServer) -> str:
    """The live server's root URL, without a trailing slash."""
    return str(live_server.url)


@pytest.fixture(params=list(LOCALES), ids=list(LOCALES.values()))
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def lang(locale: str) -> str:
    return LOCALES[locale]


@pytest.fixture
def page(
    browser: Browser,
    locale: str,
    site: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[Page]:
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    call = request.node.stash.get(_REPORTS, {}).get("call")
    if call is not None and call.failed:
        path = tmp_path / "failure.png"
        new_page.screenshot(path=path, full_page=True)
        print(f"\nbrowser was at {new_page.url}; screenshot: {path}")
    context.close()


@pytest.fixture
def proof_png_path(tmp_path: Path) -> Path:
    """A licence-card-looking PNG, written to disk for the file input."""
    image = Image.new("RGB", PROOF_SIZE, (244, 240, 228))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, PROOF_SIZE[0] - 12, PROOF_SIZE[1] - 12), outline=(40, 70, 120), width=4)
    draw.rectangle((40, 90, 200, 300), fill=(200, 210, 225))
    draw.text((240, 100), "MEDICAL LICENCE", fill=(20, 30, 60))
    draw.text((240, 140), "No. 52341", fill=(20, 30, 60))
    path = tmp_path / "licence.png"
    image.save(path, format="PNG")
    return path


@pytest.fixture
def verifier(transactional_db: None) -> User:
    """A licence verifier with TOTP enrolled (the role requires two-factor sign-in)."""
    user: User = UserFactory(full_name="검증 담당")
    grant_role(user, "verifier")
    with_totp(user)
    return user


@pytest.fixture
def new_page(
    browser: Browser,
    locale: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[Callable[[str], Page]]:
    """Open pages for several people at once: ``new_page("asker")``, ``new_page("reader")``.

    Each page has its own browser context (cookies, session) in the test's locale. On a
    failing test every page is screenshotted to ``tmp_path/failure-<label>.png``.
    """
    opened: list[tuple[str, BrowserContext, Page]] = []

    def open_page(label: str) -> Page:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        opened_page = context.new_page()
        opened.append((label, context, opened_page))
        return opened_page

    yield open_page
    call = request.node.stash.get(_REPORTS, {}).get("call")
    for label, context, opened_page in opened:
        if call is not None and call.failed:
            path = tmp_path / f"failure-{label}.png"
            opened_page.screenshot(path=path, full_page=True)
            print(f"\n{label}'s browser was at {opened_page.url}; screenshot: {path}")
        context.close()
