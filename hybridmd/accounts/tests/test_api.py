"""The accounts API and the API's error format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hybridmd.accounts.tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db
SNAPSHOT = Path(__file__).resolve().parents[3] / "tests" / "snapshots" / "openapi.json"


def test_me_requires_login_with_problem_json(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_me_shows_status_and_roles(client):
    profile = PhysicianFactory(verified=True)
    client.force_login(profile.user)
    body = client.get("/api/v1/accounts/me").json()
    assert body["verification_status"] == "approved"
    assert body["specialty"] == "IM-CARD"
    assert body["roles"] == ["physician", "specialist"]
    assert body["mfa_required"] is False


def test_health(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}


def test_openapi_schema_matches_the_snapshot(client):
    """The API cannot change by accident: regenerate the snapshot on purpose with
    `python -m hybridmd.config.openapi_snapshot` and review the diff."""
    schema = client.get("/api/v1/openapi.json").json()
    assert schema == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
