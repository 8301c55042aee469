"""A case from a phone: an ECG and a radiograph go into a post and are read on screen.

A verified physician on a phone-sized screen chooses a DICOM 12-lead ECG and a CR chest
radiograph (MONOCHROME1) in the case form; both upload at once and come back with their
de-identification reports; the physician ticks them and posts. A colleague opens the
post: the 12-lead tracing on its grid and the radiograph are visible; in the viewers the
ECG shows its twelve leads and rhythm strip, and a window preset re-renders the
radiograph. Screenshots of each screen are kept in the test's folder.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from hybridmd.accounts.tests.factories import DEFAULT_PASSWORD, PhysicianFactory
from hybridmd.community.models import Board, Post
from hybridmd.community.reference_data import sync_boards
from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

pytestmark = pytest.mark.browser

DATA = shared_data_or_placeholder()
ECG = DATA / "ecg" / "dicom_hl7" / "waveform_ecg.dcm"
XRAY = DATA / "xray" / "chest_dicom" / "RG1_J2KI.dcm"  # CR, MONOCHROME1, JPEG 2000
PHONE = {"width": 390, "height": 844}
TWELVE_LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


def _phone(browser: Browser) -> Page:
    context = browser.new_context(
        locale="ko-KR", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    return context.new_page()


def _sign_in(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/login/")
    form = page.locator("main form[action='/accounts/login/']")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{site}/home/")


def _loaded(page: Page, selector: str) -> None:
    image = page.locator(selector).first
    expect(image).to_be_visible()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=image.element_handle())


@pytest.mark.skipif(not DATA.is_dir(), reason=SHARED_DATA_MISSING)
def test_a_case_with_an_ecg_and_a_radiograph_from_a_phone(browser: Browser, site: str, tmp_path):
    sync_boards(Board)
    author = PhysicianFactory(verified=True, user__full_name="김민준").user
    reader = PhysicianFactory(verified=True, user__full_name="이서연").user

    page = _phone(browser)
    _sign_in(page, site, author.email)
    page.goto(f"{site}/community/b/cases/new/")
    page.locator("input[name=title]").fill("운동 시 흉통 62세 남자: ECG와 흉부 X-ray")
    page.locator("textarea[name=body]").fill("STEMI 기준에 해당하는지 봐 주세요.")
    page.locator("#id_files").set_input_files([str(ECG), str(XRAY)])
    cards = page.locator("[data-attachments] .file-card")
    expect(cards).to_have_count(2, timeout=60_000)
    for box in page.locator("[data-testid=confirm-deid]").all():
        box.check()
    page.screenshot(path=tmp_path / "1-case-form.png", full_page=True)
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_url(f"{site}/community/p/**")
    post = Post.objects.get()

    colleague = _phone(browser)
    _sign_in(colleague, site, reader.email)
    colleague.goto(f"{site}/community/p/{post.public_id}/")
    _loaded(colleague, "[data-testid=attachment-ecg] img")
    _loaded(colleague, "[data-testid=attachment-image] img")
    colleague.screenshot(path=tmp_path / "2-thread.png", full_page=True)

    colleague.locator("[data-testid=attachment-ecg] figcaption a").click()
    _loaded(colleague, "[data-testid=ecg-svg]")
    svg_url = colleague.locator("[data-testid=ecg-svg]").get_attribute("src")
    svg = colleague.request.get(f"{site}{svg_url}").text()
    for lead in TWELVE_LEADS:
        assert f">{lead}<" in svg, f"lead {lead} is not labelled in the tracing"
    assert "rhythm" in svg.lower()
    colleague.screenshot(path=tmp_path / "3-ecg-viewer.png", full_page=True)

    colleague.go_back()
    colleague.locator("[data-testid=attachment-image] figcaption a").click()
    _loaded(colleague, "[data-testid=xray-image]")
    image = colleague.locator("[data-testid=xray-image]")
    before = image.get_attribute("src")
    preset = colleague.locator("[data-window]").first
    expect(preset).to_be_visible()
    preset.click()
    colleague.wait_for_function(
        "before => { const el = document.querySelector('[data-testid=xray-image]');"
        " return el.src.includes('?c=') && el.complete && el.naturalWidth > 0; }",
        arg=before,
    )
    colleague.screenshot(path=tmp_path / "4-xray-viewer.png", full_page=True)
    print(f"\nscreenshots in {tmp_path}")
    page.context.close()
    colleague.context.close()
