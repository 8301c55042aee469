"""The hash of one audit event: SHA-256 over a canonical JSON of its fields."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class EventFields:
    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    facility_id: int | None
    ip_address: str | None
    detail: dict[str, Any]
    prev_hash: str


def event_hash(fields: EventFields) -> str:
    payload = {
        "seq": fields.seq,
        "occurred_at": fields.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": fields.actor_id,
        "actor_label": fields.actor_label,
        "action": fields.action,
        "target_type": fields.target_type,
        "target_id": fields.target_id,
        "facility_id": fields.facility_id,
        "ip_address": fields.ip_address,
        "detail": fields.detail,
        "prev_hash": fields.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
