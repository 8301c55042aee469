"""The AI engines are pure Python: no Django cache or media folder to reset per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache_and_media() -> None:
    """Overrides the project-wide autouse fixture of the same name (see /conftest.py)."""
