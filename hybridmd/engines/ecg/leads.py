"""Canonical ECG lead names, whatever the file called them."""

from __future__ import annotations

import re
from collections.abc import Iterable

STANDARD_12: tuple[str, ...] = (
    "I",
    "II",
    "III",
    "aVR",
    "aVL",
    "aVF",
    "V1",
    "V2",
    "V3",
    "V4",
    "V5",
    "V6",
)

_CANONICAL: dict[str, str] = {name.upper(): name for name in STANDARD_12}
_CANONICAL.update(
    {
        "MLI": "MLI",
        "MLII": "MLII",
        "MLIII": "MLIII",
        "V": "V",
        # Italian/Spanish printouts call the limb leads DI, DII, DIII.
        "DI": "I",
        "DII": "II",
        "DIII": "III",
    }
)
_CANONICAL.update({f"V{n}": f"V{n}" for n in (7, 8, 9)})
_CANONICAL.update({f"V{n}R": f"V{n}R" for n in range(2, 10)})

KNOWN_LEADS = frozenset(_CANONICAL.values())

# The lead's number in DICOM CID 3001: SCPECG "5.6.3-9-<n>" and MDC "2:<n>" share it.
LEAD_CODE_NUMBERS: dict[str, int] = {
    "I": 1,
    "II": 2,
    "III": 61,
    "aVR": 62,
    "aVL": 63,
    "aVF": 64,
    "V1": 3,
    "V2": 4,
    "V3": 5,
    "V4": 6,
    "V5": 7,
    "V6": 8,
    "V7": 9,
    "V8": 66,
    "V9": 67,
    **{f"V{n}R": n + 8 for n in range(2, 8)},
    "V8R": 68,
    "V9R": 69,
}

# Prefixes that only say "this is a lead": "Lead II", "MDC_ECG_LEAD_AVR", "ECG Lead V1".
_PREFIX = re.compile(r"^(?:MDC_ECG_LEAD_|MDC_ECG_|ECG[\s_-]*LEAD|LEAD)[\s_:.-]*", re.IGNORECASE)
# Trailing qualifiers in brackets, as in the DICOM meaning "Lead I (Einthoven)".
_TRAILER = re.compile(r"\s*[(\[].*$")
_NOISE = re.compile(r"[\s_.]+")


def normalise_lead_name(raw: str) -> str:
    """ "lead II" -> "II", "AVR" -> "aVR", "V 1" -> "V1"; unknown labels come back stripped.

    A negative lead ("-aVR", "−aVR") is a different signal and is kept as given.
    """
    label = str(raw).strip()
    if not label or label[0] in "-−":
        return label
    candidate = label.split(",", 1)[0]  # DICOM CID 3001: "aVR, augmented voltage, right"
    candidate = _TRAILER.sub("", candidate)
    candidate = _PREFIX.sub("", candidate.strip())
    key = _NOISE.sub("", candidate).upper()
    return _CANONICAL.get(key, label)


def is_standard_12(names: Iterable[str]) -> bool:
    """True when every one of the standard 12 leads is among ``names``."""
    present = set(names)
    return all(lead in present for lead in STANDARD_12)
