"""De-identified file names: ``홍길동_850302-1234567_CXR.dcm`` -> ``CXR.dcm``.

Identifiers are removed (not replaced: a placeholder makes a poor file name), together
with a Korean name right before or after a 주민등록번호, phone or patient number, and runs
of 8 or more digits that are not a date or time stamp (``20240302`` stays). The extension
and the harmless words stay; separators are collapsed to one; directories, path traversal
and control characters go; the result is at most 100 characters and never empty.
"""

from __future__ import annotations

import re
import unicodedata

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.documents.deid.finder import find, merge
from hybridmd.engines.documents.deid.model import (
    DESCRIPTIONS,
    NAME,
    PATIENT_ID,
    PHONE,
    RRN,
    Identifier,
    valid_date,
)
from hybridmd.engines.documents.deid.names import looks_like_korean_name, split_korean_name
from hybridmd.engines.documents.deid.redaction import risk_line, where

MAX_CHARS = 100
MAX_BYTES = 255  # what most file systems allow, in UTF-8
FALLBACK_STEM = "file"

_UNSAFE = re.compile(r'[<>:"|?*]')
_EXTENSION = re.compile(r"\.((?:nii|tar)\.gz|[A-Za-z0-9]{1,10})$", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"(?<!\d)\d{8,}(?!\d)")
_LABELLED_NUMBER = re.compile(
    r"(?:(?<![A-Za-z])(?i:patient|pt|id|mrn|chart|hosp)|(?<![가-힣])(?:환자|등록))"
    r"[ ]?(\d{5,})(?!\d)"
)
_NAME_BEFORE = re.compile(r"(?<![가-힣])([가-힣]{2,4})[ .\-]*$")
_NEAR = 12  # how far before a number a name is looked for
_NAME_AFTER = re.compile(r"[ .\-]*([가-힣]{2,4})(?![가-힣])")
_HANGUL_WORD = re.compile(r"(?<![가-힣])[가-힣]{2,4}(?![가-힣])")
_SPACES = re.compile(r"\s+")
_SEPARATOR_RUN = re.compile(r"[_.\-]{2,}")
_SEPARATORS = "_.- "


def _date_or_time_stamp(digits: str) -> bool:
    """20240302, 202403021530, 20240302153000: a date (and time), not a patient number."""
    if len(digits) not in (8, 12, 14):
        return False
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1900 <= year <= 2099 or not valid_date(year, month, day):
        return False
    clock = [int(digits[i : i + 2]) for i in range(8, len(digits), 2)]
    return all(value < limit for value, limit in zip(clock, (24, 60, 60), strict=False))


def _clean(name: str) -> str:
    """No control or format characters (e.g. right-to-left overrides), no reserved ones."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in name
    )
    return _UNSAFE.sub(" ", kept)


def _split_extension(base: str) -> tuple[str, str]:
    """``(stem, extension)``; ``.png`` alone is an empty stem with an extension."""
    match = _EXTENSION.search(base)
    if match is None:
        return base, ""
    extension = match[1]
    if sum(ch.isdigit() for ch in extension) > 3:  # "report.01012345678" has no extension
        return base, ""
    return base[: match.start()], extension


def _numbers(work: str) -> list[Identifier]:
    found = [
        Identifier(PATIENT_ID, m.start(), m.end(), "likely")
        for m in _LONG_NUMBER.finditer(work)
        if not _date_or_time_stamp(m[0])
    ]
    found += [
        Identifier(PATIENT_ID, m.start(1), m.end(1), "certain")
        for m in _LABELLED_NUMBER.finditer(work)
    ]
    return found


def _names_beside(work: str, anchors: list[Identifier]) -> list[Identifier]:
    """Korean names written right before or after a number that identifies someone."""
    found: list[Identifier] = []
    for anchor in anchors:
        before = _NAME_BEFORE.search(work, max(0, anchor.start - _NEAR), anchor.start)
        after = _NAME_AFTER.match(work, anchor.end)
        for match in (before, after):
            if match is not None and looks_like_korean_name(match[1]):
                found.append(Identifier(NAME, match.start(1), match.end(1), "certain"))
    return found


def _shorten(stem: str, extension: str) -> str:
    suffix = f".{extension}" if extension else ""
    stem = stem[: MAX_CHARS - len(suffix)]
    while len((stem + suffix).encode()) > MAX_BYTES:
        stem = stem[:-1]
    return stem.strip(_SEPARATORS)


def redact_filename(name: str) -> tuple[str, DeidReport]:
    """A file name with identifiers, directories and unsafe characters removed."""
    report = DeidReport()
    name = unicodedata.normalize("NFC", name)  # macOS spells Hangul file names decomposed
    base = re.split(r"[/\\]", name)[-1]
    if base != name:
        report.add("file name", "removed", "directory part")
    stem, extension = _split_extension(_clean(base).rstrip(_SEPARATORS))
    # Detection reads _ as a space (same length, so offsets hold): 010_1234_5678.
    work = stem.replace("_", " ")
    found = find(work) + _numbers(work)
    anchors = [f for f in found if f.kind in (RRN, PHONE, PATIENT_ID)]
    pieces: list[str] = []
    done = 0
    for item in merge(found + _names_beside(work, anchors)):
        pieces += [stem[done : item.start], " "]
        done = item.end
        report.add(where(item, "file name"), "removed", DESCRIPTIONS[item.kind])
        if item.certainty == "likely":
            report.risks.append(risk_line(item, "file name"))
    pieces.append(stem[done:])
    joined = _SEPARATOR_RUN.sub("_", _SPACES.sub("_", "".join(pieces)))
    shortened = _shorten(joined.strip(_SEPARATORS), extension)
    if len(shortened) < len(joined.strip(_SEPARATORS)):
        report.add("file name", "shortened", f"to at most {MAX_CHARS} characters")
    for word in _HANGUL_WORD.findall(shortened):
        if split_korean_name(word) == word and looks_like_korean_name(word):
            report.risks.append("The file name may still contain a person's name; check it.")
            break
    stem = shortened or FALLBACK_STEM
    return (f"{stem}.{extension}" if extension else stem), report
