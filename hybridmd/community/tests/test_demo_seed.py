from __future__ import annotations

import pytest
from django.core.management import call_command

from hybridmd.accounts import demo, permissions
from hybridmd.accounts.models import Facility, PhysicianProfile, User
from hybridmd.audit.selectors import chain_verify
from hybridmd.community.models import Poll, Post

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_logins_work(client):
    call_command("demo_seed")
    counts = (User.objects.count(), Facility.objects.count(), PhysicianProfile.objects.count())
    call_command("demo_seed")
    assert (
        User.objects.count(),
        Facility.objects.count(),
        PhysicianProfile.objects.count(),
    ) == counts
    assert Facility.objects.get(name="서울대학교병원").tier == Facility.Tier.TERTIARY
    assert {"서울의료원", "성남시의료원"} <= set(Facility.objects.values_list("name", flat=True))

    cardio = User.objects.get(email="cardio@demo.hybridmd.kr")
    assert permissions.has_role(cardio, "specialist")
    assert (
        PhysicianProfile.objects.get(user__email="applicant@demo.hybridmd.kr").status == "pending"
    )
    verifier = User.objects.get(email="verifier@demo.hybridmd.kr")
    assert permissions.has_perm(verifier, permissions.REVIEW_VERIFICATION)
    coordinator = User.objects.get(email="coordinator@demo.hybridmd.kr")
    snuh = Facility.objects.get(name="서울대학교병원")
    assert permissions.facilities_with(coordinator, permissions.PATIENT_DATA_VIEW) == {snuh.pk}

    response = client.post(
        "/accounts/login/", {"login": cardio.email, "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/home/").status_code == 200
    assert chain_verify().ok


def test_demo_seed_adds_community_content_once():
    call_command("demo_seed")
    posts = Post.objects.count()
    call_command("demo_seed")
    assert Post.objects.count() == posts
    boards = set(Post.objects.values_list("board__slug", flat=True))
    assert {"qna", "consult", "jobs", "events", "free"} <= boards
    assert Post.objects.filter(is_anonymous=True, accepted_answer__isnull=False).exists()
    assert Poll.objects.exists()
    consult = Post.objects.get(board__slug="consult")
    assert consult.answers.get().author.consultant_profile.firm_name
