"""De-identification of Korean and English clinical text and file names. Pure Python.

* :func:`find_identifiers` says where the identifiers are: 주민등록번호/외국인등록번호
  (``rrn``), phone numbers, patient numbers after a label (등록번호, MRN, Pt. ID, ...),
  dates of birth after a label (생년월일, DOB), names after a label (환자명, 성명, 이름,
  환자, 보호자, Patient name, Name:), e-mail addresses and addresses after 주소.
  Clinical dates (검사일 2024-03-02) and ages (65세, M/65) are not identifiers.
* :func:`redact` replaces each with a placeholder ([주민등록번호], [전화번호], [환자번호],
  [생년월일], [이름], [이메일], [주소]) and keeps the label: ``환자명: [이름]``.
* :func:`redact_filename` removes them from a file name and makes the name safe to store.

Reports (:class:`hybridmd.engines.deid.DeidReport`) say where and what kind, never the
value; a find that is likely but not certain adds a risk line for the uploader.
"""

from __future__ import annotations

from collections.abc import Collection

from hybridmd.engines.documents.deid.filenames import redact_filename
from hybridmd.engines.documents.deid.finder import find
from hybridmd.engines.documents.deid.model import KINDS, PLACEHOLDERS, Certainty, Identifier
from hybridmd.engines.documents.deid.numbers import rrn_checksum_ok
from hybridmd.engines.documents.deid.redaction import redact

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Certainty",
    "Identifier",
    "find_identifiers",
    "redact",
    "redact_filename",
    "rrn_checksum_ok",
]


def find_identifiers(text: str, *, kinds: Collection[str] | None = None) -> list[Identifier]:
    """Every identifier in ``text`` (of ``kinds``, default all), in order, never overlapping."""
    return find(text, kinds)
