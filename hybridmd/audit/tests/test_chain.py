from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hybridmd.audit import services as audit
from hybridmd.audit.chain import event_hash
from hybridmd.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from hybridmd.audit.selectors import chain_verify, event_fields

pytestmark = pytest.mark.django_db


def _three_events(user):
    for action in ("test.one", "test.two", "test.three"):
        audit.record(user, action, ("accounts.user", user.pk), detail={"n": action})


def test_events_link_into_a_chain(make_user):
    user = make_user()
    _three_events(user)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert AuditChainHead.objects.get().hash == events[2].hash
    report = chain_verify()
    assert report.ok, report.problems
    call_command("audit_verify")


def test_orm_refuses_edit_and_delete(make_user):
    user = make_user()
    _three_events(user)
    event = AuditEvent.objects.get(seq=1)
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_edited_row_is_detected(make_user):
    user = make_user()
    _three_events(user)
    _raw("UPDATE audit_auditevent SET action = %s WHERE seq = 2", ["test.forged"])
    report = chain_verify()
    assert not report.ok
    assert any("#2" in p and "edited" in p for p in report.problems)
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit_verify")


def test_edited_detail_is_detected(make_user):
    user = make_user()
    _three_events(user)
    _raw("UPDATE audit_auditevent SET actor_id = NULL WHERE seq = 1")
    assert any("#1" in p for p in chain_verify().problems)


def test_deleted_middle_row_is_detected(make_user):
    user = make_user()
    _three_events(user)
    _raw("DELETE FROM audit_auditevent WHERE seq = 2")
    problems = chain_verify().problems
    assert any("missing" in p for p in problems)
    assert any("#3" in p and "broken" in p for p in problems)


def test_deleted_newest_row_is_detected(make_user):
    user = make_user()
    _three_events(user)
    _raw("DELETE FROM audit_auditevent WHERE seq = 3")
    problems = chain_verify().problems
    assert any("chain head" in p for p in problems)


def test_rehashed_forgery_still_breaks_the_next_link(make_user):
    """Someone who edits a row and recomputes its hash still breaks the link after it."""
    user = make_user()
    _three_events(user)
    event = AuditEvent.objects.get(seq=2)
    event.action = "test.forged"
    forged_hash = event_hash(event_fields(event))
    _raw(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE seq = 2",
        ["test.forged", forged_hash],
    )
    problems = chain_verify().problems
    assert any("#3" in p and "broken" in p for p in problems)


def test_empty_trail_is_intact():
    assert chain_verify().ok
