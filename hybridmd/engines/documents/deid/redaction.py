"""Replacing identifiers in a text with neutral placeholders, and saying so without values."""

from __future__ import annotations

from collections.abc import Collection

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.documents.deid.finder import find
from hybridmd.engines.documents.deid.model import (
    DESCRIPTIONS,
    NAME,
    PHONE,
    PLACEHOLDERS,
    RRN,
    Identifier,
)

_RISKS = {
    RRN: "A number that looks like a resident registration number was removed ({where}); check it.",
    PHONE: "A number that looks like a phone number was removed ({where}); check it.",
    NAME: "A word that looks like a name was removed ({where}); check it.",
}
_RISK = "Something that looks like a {what} was removed ({where}); check it."


def where(found: Identifier, area: str = "text") -> str:
    return f"{area} {found.start}–{found.end}"


def risk_line(found: Identifier, area: str = "text") -> str:
    template = _RISKS.get(found.kind, _RISK)
    return template.format(what=DESCRIPTIONS[found.kind], where=where(found, area))


def redact(text: str, *, kinds: Collection[str] | None = None) -> tuple[str, DeidReport]:
    """``text`` with every identifier (of ``kinds``, default all) replaced by a placeholder.

    Labels stay (환자명: [이름]). The report gives each change's character offsets in the
    original text and its kind; a likely-but-uncertain find also adds a risk line.
    """
    report = DeidReport()
    pieces: list[str] = []
    done = 0
    for found in find(text, kinds):
        placeholder = PLACEHOLDERS[found.kind]
        pieces += [text[done : found.start], placeholder]
        done = found.end
        detail = f"{DESCRIPTIONS[found.kind]}, replaced with {placeholder}"
        if found.certainty == "likely":
            detail += " (likely, not certain)"
            report.risks.append(risk_line(found))
        report.add(where(found), "redacted", detail)
    pieces.append(text[done:])
    return "".join(pieces), report
