"""Shared pytest fixtures: factories for users in each role, proof files, TOTP helpers."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from hybridmd.accounts.tests.factories import (
    FacilityFactory,
    PhysicianFactory,
    UserFactory,
    grant_role,
    with_totp,
)
from hybridmd.engines.shared_data import MISSING_REASON as MISSING
from hybridmd.engines.shared_data import shared_data_dir


def pytest_report_header(config: pytest.Config) -> str:
    found = shared_data_dir()
    if found is None:
        return f"shared sample data: NOT FOUND; the tests that read it are skipped: {MISSING}"
    return f"shared sample data: {found}"


def png_bytes(size: tuple[int, int] = (64, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fresh_cache_and_media(settings, tmp_path) -> None:
    """Each test starts with no rate-limit counters and an empty media folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def proof_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("licence.png", png_bytes(), content_type="image/png")


@pytest.fixture
def make_user() -> Callable[..., object]:
    return UserFactory


@pytest.fixture
def verified_physician(db):
    return PhysicianFactory(verified=True)


@pytest.fixture
def verifier(db):
    user = UserFactory(full_name="검증 담당")
    grant_role(user, "verifier")
    with_totp(user)
    return user


@pytest.fixture
def facility(db):
    return FacilityFactory()


@pytest.fixture
def english(settings):
    """Run a test in English: for tests that compare against English wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
