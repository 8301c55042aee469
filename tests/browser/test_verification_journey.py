"""A physician signs up, a verifier approves them, the physician sees the community open.

Each test runs once with a Korean browser (Accept-Language ko-KR) and once with an
English one (en-US). Set ``HYBRIDMD_BROWSER_SHOTS=/some/dir`` to keep screenshots of
the pages along the way. Expected wording is looked up through Django's own gettext, so
the assertions follow whatever translation catalogue the server renders with; where
Korean is expected we also check the text really is Hangul once it is translated.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from hybridmd.accounts.models import PhysicianProfile, Specialty, User
from hybridmd.accounts.tests.factories import (
    DEFAULT_PASSWORD,
    TOTP_SECRET,
    PhysicianFactory,
    totp_code,
)

pytestmark = pytest.mark.browser

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Applicant:
    email: str
    full_name: str
    licence_number: str
    workplace_name: str
    password: str = "Hybrid-MD-e2e-2025!"


APPLICANTS = {
    "ko": Applicant(
        email="kim.hybrid@example.kr",
        full_name="김하이브",
        licence_number="52341",
        workplace_name="서울의료원",
    ),
    "en": Applicant(
        email="jane.hybrid@example.kr",
        full_name="Jane Hybrid",
        licence_number="52342",
        workplace_name="Seoul Medical Center",
    ),
}


# --- helpers ------------------------------------------------------------------------


def translated(message: str, lang: str) -> str:
    with translation.override(lang):
        return translation.gettext(message)


def expect_wording(locator: Locator, message: str, lang: str) -> None:
    """``locator`` shows ``message`` in ``lang``; Korean, once it has been translated."""
    text = translated(message, lang)
    expect(locator).to_contain_text(text)
    if lang == "ko" and text != message:
        assert HANGUL.search(text), f"{message!r} -> {text!r} has no Hangul"


def shoot(page: Page, name: str, lang: str) -> None:
    """Keep ``<name>-<lang>.png`` in $HYBRIDMD_BROWSER_SHOTS, when that is set."""
    folder = os.environ.get("HYBRIDMD_BROWSER_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}-{lang}.png", full_page=True)


def expect_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def signup_form(page: Page) -> Locator:
    return page.locator("main form[action='/accounts/signup/']")


def fill_signup(page: Page, applicant: Applicant, *, specialty: Specialty, proof: Path) -> None:
    form = signup_form(page)
    form.locator("input[name=email]").fill(applicant.email)
    form.locator("input[name=password1]").fill(applicant.password)
    form.locator("input[name=password2]").fill(applicant.password)
    form.locator("input[name=full_name]").fill(applicant.full_name)
    form.locator("input[name=licence_number]").fill(applicant.licence_number)
    form.locator("select[name=specialty]").select_option(value=str(specialty.pk))
    form.locator("input[name=workplace_name]").fill(applicant.workplace_name)
    form.locator("input[name=proof]").set_input_files(proof)


def sign_in(page: Page, site: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto(f"{site}/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def enter_totp(page: Page, site: str, secret: str = TOTP_SECRET) -> None:
    """Type the authenticator code on allauth's second-factor page.

    allauth accepts only the current 30-second code; should the period roll over
    between computing the code and the server checking it, the page comes back with
    an error and the next period's code is entered once more.
    """
    authenticate_url = f"{site}/accounts/2fa/authenticate/"
    expect(page).to_have_url(authenticate_url)
    for _attempt in range(2):
        code = page.locator("main input[name=code]")
        code.fill(totp_code(secret))
        with page.expect_navigation():
            code.press("Enter")
        if page.url != authenticate_url:
            return
    pytest.fail("the TOTP code was refused twice")


def sign_out(page: Page, site: str) -> None:
    """Use the header's sign-out button; confirm on allauth's page should it ask."""
    page.locator("header form[action='/accounts/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(site)}/(accounts/logout/)?$"))
    if page.url == f"{site}/accounts/logout/":
        page.locator("main form[action='/accounts/logout/'] button[type=submit]").click()
        page.wait_for_url(f"{site}/")
    expect(page.locator("header a[href='/accounts/login/']")).to_be_visible()


# --- tests --------------------------------------------------------------------------


def test_physician_signs_up_and_is_approved_by_a_verifier(
    page: Page,
    site: str,
    lang: str,
    verifier: User,
    proof_png_path: Path,
) -> None:
    applicant = APPLICANTS[lang]
    cardiology = Specialty.objects.get(code="IM-CARD")

    # 1. An anonymous visitor applies.
    page.goto(f"{site}/accounts/signup/")
    expect_language(page, lang)
    expect_wording(page.locator("main h1"), "Join Hybrid MD", lang)
    expect(
        signup_form(page).locator(f"select[name=specialty] option[value='{cardiology.pk}']")
    ).to_have_text(cardiology.name_ko if lang == "ko" else cardiology.name_en)
    fill_signup(page, applicant, specialty=cardiology, proof=proof_png_path)
    shoot(page, "signup", lang)
    signup_form(page).locator("button[type=submit]").click()

    expect(page).to_have_url(f"{site}/home/")
    expect_language(page, lang)
    pending = page.get_by_test_id("pending")
    expect(pending).to_be_visible()
    expect_wording(pending.locator("h2"), "Your licence is being verified", lang)
    expect(page.get_by_test_id("verified")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(applicant.licence_number)
    shoot(page, "home-pending", lang)
    sign_out(page, site)

    # 2. A verifier signs in with a second factor and approves the application.
    sign_in(page, site, verifier.email)
    expect_wording(page.locator("main h1"), "Two-Factor Authentication", lang)
    enter_totp(page, site)
    expect(page).to_have_url(f"{site}/home/")
    page.locator("header a[href='/verification/']").click()
    expect(page).to_have_url(f"{site}/verification/")
    expect_language(page, lang)
    row = page.locator("table tbody tr", has_text=applicant.full_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(applicant.licence_number)
    expect(row).to_contain_text(applicant.workplace_name)
    shoot(page, "verification-queue", lang)

    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(site)}/verification/\d+/$"))
    expect(page.locator("main h1")).to_have_text(applicant.full_name)
    proof = page.locator("main img.proof-image")
    with Image.open(proof_png_path) as uploaded:
        expect(proof).to_have_js_property("naturalWidth", uploaded.width)
    shoot(page, "verification-detail", lang)

    page.get_by_test_id("approve").click()
    expect(page).to_have_url(f"{site}/verification/")
    expect(page.locator(".messages")).to_contain_text(applicant.full_name)
    expect(page.locator("table tbody tr", has_text=applicant.full_name)).to_have_count(0)
    sign_out(page, site)

    # 3. The physician comes back and finds the licence verified.
    sign_in(page, site, applicant.email, applicant.password)
    expect(page).to_have_url(f"{site}/home/")
    verified = page.get_by_test_id("verified")
    expect(verified).to_be_visible()
    expect_wording(verified.locator("h2"), "Your licence is verified", lang)
    expect(page.get_by_test_id("pending")).to_have_count(0)
    shoot(page, "home-verified", lang)

    user = User.objects.get(email=applicant.email)
    assert user.language == lang
    profile = PhysicianProfile.objects.get(user=user)
    assert profile.status == PhysicianProfile.Status.APPROVED
    assert profile.reviewed_by == verifier


def test_unverified_physician_cannot_open_the_verification_queue(
    page: Page, site: str, lang: str
) -> None:
    applicant = PhysicianFactory()
    sign_in(page, site, applicant.user.email)
    expect(page).to_have_url(f"{site}/home/")
    expect(page.get_by_test_id("pending")).to_be_visible()
    expect(page.locator("header a[href='/verification/']")).to_have_count(0)

    for path in ("/verification/", f"/verification/{applicant.pk}/"):
        response = page.goto(f"{site}{path}")
        assert response is not None
        assert response.status == 403, path
        expect_language(page, lang)
        expect_wording(page.locator("main h1"), "You do not have access to this page", lang)


def test_signup_keeps_typed_values_when_the_licence_number_is_malformed(
    page: Page, site: str, lang: str, proof_png_path: Path
) -> None:
    applicant = APPLICANTS[lang]
    cardiology = Specialty.objects.get(code="IM-CARD")
    page.goto(f"{site}/accounts/signup/")
    fill_signup(page, applicant, specialty=cardiology, proof=proof_png_path)
    signup_form(page).locator("input[name=licence_number]").fill("12ab")
    signup_form(page).locator("button[type=submit]").click()

    form = signup_form(page)
    licence = form.locator(".field", has=page.locator("input[name=licence_number]"))
    expect(licence).to_have_class(re.compile(r"\bhas-error\b"))
    expect_wording(
        licence.locator(".error"),
        "A medical licence number (의사 면허번호) is 1 to 6 digits, without leading zeros.",
        lang,
    )
    expect(page).to_have_url(f"{site}/accounts/signup/")
    expect(form.locator("input[name=email]")).to_have_value(applicant.email)
    expect(form.locator("input[name=full_name]")).to_have_value(applicant.full_name)
    expect(form.locator("input[name=workplace_name]")).to_have_value(applicant.workplace_name)
    expect(form.locator("input[name=licence_number]")).to_have_value("12ab")
    expect(form.locator("select[name=specialty]")).to_have_value(str(cardiology.pk))
    assert not User.objects.filter(email=applicant.email).exists()
