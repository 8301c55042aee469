"""Writing to the audit trail. Every service that reads or changes data calls ``record``."""

from __future__ import annotations

import json
from typing import Any, Protocol

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from hybridmd.audit.chain import EventFields, event_hash
from hybridmd.audit.models import AuditChainHead, AuditEvent


class _Actor(Protocol):
    pk: Any

    @property
    def is_authenticated(self) -> bool: ...


def _target_ref(target: models.Model | tuple[str, object] | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        kind, ident = target
        return kind, str(ident)
    return target._meta.label_lower, str(target.pk)


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _json_safe(detail: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip so the stored value hashes exactly as it will be read back.
    result: dict[str, Any] = json.loads(json.dumps(detail or {}, default=str))
    return result


def record(
    actor: _Actor | None,
    action: str,
    target: models.Model | tuple[str, object] | None = None,
    *,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    facility_id: int | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction if there is one.

    ``detail`` must never hold patient-identifying text: ids and codes only.
    """
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    label = actor_label if actor_label is not None else (str(actor) if actor_id else "")
    target_type, target_id = _target_ref(target)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        fields = EventFields(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_id=actor_id,
            actor_label=label[:254],
            action=action,
            target_type=target_type,
            target_id=target_id,
            facility_id=facility_id,
            ip_address=_client_ip(request),
            detail=_json_safe(detail),
            prev_hash=head.hash,
        )
        digest = event_hash(fields)
        event = AuditEvent.objects.create(
            seq=fields.seq,
            occurred_at=fields.occurred_at,
            actor_id=fields.actor_id,
            actor_label=fields.actor_label,
            action=fields.action,
            target_type=fields.target_type,
            target_id=fields.target_id,
            facility_id=fields.facility_id,
            ip_address=fields.ip_address,
            detail=fields.detail,
            prev_hash=fields.prev_hash,
            hash=digest,
        )
        head.seq, head.hash = fields.seq, digest
        head.save(update_fields=["seq", "hash"])
    return event
