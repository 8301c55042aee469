"""What a de-identification changed, shared by the ECG, imaging and text engines.

A report never carries an original value: it says *where* something was and *what was
done*, so it can be shown to the uploader, stored and logged without becoming PHI.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeidChange:
    where: str  # e.g. "DICOM (0010,0010) Patient's Name", "EXIF", "pixels x=0 y=0 w=310 h=42"
    action: str  # "removed", "emptied", "replaced", "remapped", "blacked out", "redacted"
    detail: str = ""  # why or with what, never the original value


@dataclass
class DeidReport:
    changes: list[DeidChange] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)  # for the uploader to check before publishing

    @property
    def needs_confirmation(self) -> bool:
        """Anything changed or risky asks the uploader to look before publishing."""
        return bool(self.changes or self.risks)

    def add(self, where: str, action: str, detail: str = "") -> None:
        self.changes.append(DeidChange(where=where, action=action, detail=detail))

    def extend(self, other: DeidReport) -> None:
        self.changes.extend(other.changes)
        self.risks.extend(other.risks)

    def as_dict(self) -> dict[str, object]:
        return {
            "changes": [
                {"where": c.where, "action": c.action, "detail": c.detail} for c in self.changes
            ],
            "risks": list(self.risks),
            "needs_confirmation": self.needs_confirmation,
        }
