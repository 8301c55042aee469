"""Background work for accounts. Tasks take ids and may run more than once safely."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from hybridmd.accounts.models import PhysicianProfile


@shared_task(name="accounts.verification_decision_notify")
def verification_decision_notify(profile_id: int) -> bool:
    """Email the applicant the verifier's decision, once per decision."""
    with transaction.atomic():
        profile = (
            PhysicianProfile.objects.select_for_update()
            .select_related("user")
            .filter(pk=profile_id)
            .first()
        )
        if profile is None or profile.status == PhysicianProfile.Status.PENDING:
            return False
        if (
            profile.decision_notified_at is not None
            and profile.reviewed_at is not None
            and profile.decision_notified_at >= profile.reviewed_at
        ):
            return False
        user = profile.user
        with translation.override(user.language):
            context = {
                "profile": profile,
                "user": user,
                "profile_url": settings.HYBRIDMD_SITE_URL.rstrip("/") + reverse("profile"),
            }
            subject = render_to_string("accounts/email/decision_subject.txt", context).strip()
            body = render_to_string("accounts/email/decision_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        profile.decision_notified_at = timezone.now()
        profile.save(update_fields=["decision_notified_at"])
    return True
