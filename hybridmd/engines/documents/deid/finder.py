"""All identifiers in a text, overlaps merged so that nothing is left half-covered."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator

from hybridmd.engines.documents.deid.labelled import (
    find_addresses,
    find_birth_dates,
    find_patient_ids,
)
from hybridmd.engines.documents.deid.model import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    KINDS,
    NAME,
    PATIENT_ID,
    PHONE,
    RRN,
    Certainty,
    Identifier,
)
from hybridmd.engines.documents.deid.names import find_names
from hybridmd.engines.documents.deid.numbers import find_emails, find_phones, find_rrns

_FINDERS: dict[str, Callable[[str], Iterator[Identifier]]] = {
    RRN: find_rrns,
    PHONE: find_phones,
    EMAIL: find_emails,
    PATIENT_ID: find_patient_ids,
    BIRTH_DATE: find_birth_dates,
    ADDRESS: find_addresses,
    NAME: find_names,
}


def check_kinds(kinds: Collection[str] | None) -> tuple[str, ...]:
    """The kinds asked for, in :data:`KINDS` order; all of them for ``None``."""
    if kinds is None:
        return KINDS
    if isinstance(kinds, str):  # kinds="phone" means the kind, not its letters
        kinds = (kinds,)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown identifier kinds: {', '.join(map(repr, unknown))}")
    return tuple(kind for kind in KINDS if kind in kinds)


def _rank(found: Identifier) -> tuple[bool, int, int]:
    """Which find names a merged span: certain first, then the longest, then by kind."""
    return found.certainty == "certain", found.end - found.start, -KINDS.index(found.kind)


def merge(found: Iterable[Identifier]) -> list[Identifier]:
    """Overlapping finds become one span covering all of them, named by the best one."""
    merged: list[Identifier] = []
    group: list[Identifier] = []
    group_end = 0
    for item in sorted(found, key=lambda i: (i.start, i.end)):
        if group and item.start >= group_end:
            merged.append(_combine(group))
            group = []
        group.append(item)
        group_end = max(group_end, item.end) if len(group) > 1 else item.end
    if group:
        merged.append(_combine(group))
    return merged


def _combine(group: list[Identifier]) -> Identifier:
    best = max(group, key=_rank)
    certainty: Certainty = "certain" if any(g.certainty == "certain" for g in group) else "likely"
    return Identifier(best.kind, min(g.start for g in group), max(g.end for g in group), certainty)


def find(text: str, kinds: Collection[str] | None = None) -> list[Identifier]:
    return merge(item for kind in check_kinds(kinds) for item in _FINDERS[kind](text))
