"""Reading the audit trail and proving it has not been changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet

from hybridmd.audit.chain import GENESIS_HASH, EventFields, event_hash
from hybridmd.audit.models import AuditChainHead, AuditEvent


@dataclass
class ChainReport:
    events_checked: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def event_fields(event: AuditEvent) -> EventFields:
    return EventFields(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        facility_id=event.facility_id,
        ip_address=event.ip_address,
        detail=event.detail,
        prev_hash=event.prev_hash,
    )


def _events_in_order(batch_size: int = 2000) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)


def chain_verify() -> ChainReport:
    """Walk the whole chain; report every broken link, edited row, gap or lost tail."""
    report = ChainReport()
    expected_seq, previous_hash = 1, GENESIS_HASH
    for event in _events_in_order():
        report.events_checked += 1
        if event.seq != expected_seq:
            report.problems.append(
                f"event #{expected_seq}..#{event.seq - 1} missing (deleted rows)"
                if event.seq > expected_seq
                else f"event #{event.seq} out of order"
            )
        if event.prev_hash != previous_hash:
            report.problems.append(f"event #{event.seq}: link to the previous event is broken")
        if event_hash(event_fields(event)) != event.hash:
            report.problems.append(f"event #{event.seq}: contents do not match its hash (edited)")
        expected_seq, previous_hash = event.seq + 1, event.hash
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != expected_seq - 1 or head_hash != previous_hash:
        report.problems.append(
            f"chain head says #{head_seq} but the trail ends at #{expected_seq - 1}"
            " (newest events deleted or head altered)"
        )
    report.head_hash = previous_hash
    return report


def events_for_target(target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target_type, target_id=target_id)
