"""Identifiers known by the label in front of them: patient numbers, birth dates, addresses.

A clinical date on its own (검사일 2024-03-02) is not an identifier; the same date
after 생년월일 or DOB is. The label is kept and only the value is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hybridmd.engines.documents.deid.model import (
    ADDRESS,
    BIRTH_DATE,
    HYPHENS,
    PATIENT_ID,
    Identifier,
)

_HY = re.escape(HYPHENS)
# A label starts a word; one glued to a placeholder ("[이름]주소") was not a label before.
_KO = r"(?<![가-힣\]])"
_EN = r"(?<![A-Za-z\]])"
_VALUE_SEP = r"[ \t]*(?:\([^()\n]{0,15}\))?[ \t]*[:：=#(]?[ \t]*"

_PATIENT_ID = re.compile(
    r"(?:"
    rf"{_KO}(?:환자[ \t]?)?(?:등록|환자|병록|차트|진료|수진자)[ \t]?번호"
    rf"|{_EN}(?i:MRN|Pt\.?[ \t]?ID|Patient[ \t]?ID|Chart[ \t]?No\.?|Hosp(?:ital)?\.?[ \t]?No\.?)"
    rf"(?![A-Za-z])|{_EN}(?i:ID)(?=[ \t]*[:：#])"
    rf"){_VALUE_SEP}(?P<value>[A-Za-z0-9](?:[A-Za-z0-9]|[{_HY}](?=[A-Za-z0-9]))*)"
)

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (
    rf"(?:\d{{4}}|\d{{2}})[ ]?(?:[{_HY}./][ ]?|년[ ]?)\d{{1,2}}[ ]?(?:[{_HY}./][ ]?|월[ ]?)"
    r"\d{1,2}(?:[ ]?일|\.)?"
    rf"|\d{{1,2}}[ ]?[{_HY}./][ ]?\d{{1,2}}[ ]?[{_HY}./][ ]?\d{{4}}"
    r"|\d{8}|\d{6}"
    rf"|\d{{1,2}}[ {_HY}]?(?i:{_MONTHS})[ ,{_HY}]{{0,2}}\d{{4}}"
    rf"|(?i:{_MONTHS})[ ]?\d{{1,2}},?[ ]?\d{{4}}"
    r"|\d{1,2}월[ ]?\d{1,2}일"
)
_BIRTH_DATE = re.compile(
    rf"(?:{_KO}(?:생년월일|생일)"
    rf"|{_EN}(?i:D\.?O\.?B\.?|Date[ \t]of[ \t]birth|Birth[ \t]?date|Birthday|Birth)(?![A-Za-z]))"
    rf"{_VALUE_SEP}(?P<value>{_DATE})(?!\d)"
)

# Any label: where a name or address value stops.
NEXT_LABEL = re.compile(
    r"(?<![가-힣])(?:주민\s?(?:등록\s?)?번호|외국인\s?등록\s?번호|(?:등록|환자|병록|차트|진료|수진자)\s?번호"
    r"|생년월일|생일|환자\s?명|성\s?명|성함|이름|환자|보호자|주소지?|거주지|연락처|전화\s?번호|전화"
    r"|휴대\s?전화|휴대폰|핸드폰|이메일|성별|나이|연령|진단명?|병명|병동|병실|담당의|주치의)(?![가-힣])"
    r"|(?<![A-Za-z])(?i:RRN|MRN|Pt\.?\s?ID|Patient|Name|DOB|D\.O\.B\.?|Birth|Address|Addr|Tel"
    r"|Phone|Mobile|E-?mail|Sex|Age|Gender|Diagnosis|Dx|Ward|Room)(?![A-Za-z])"
)
_ADDRESS = re.compile(
    rf"(?:{_KO}(?:(?:자택|현|실거주)\s?)?(?:주소지?|거주지)(?![가-힣])"
    rf"|{_EN}(?i:Home[ \t]address|Address|Addr\.?)(?![A-Za-z]))"
    r"(?P<sep>[ \t]*[:：]?)[ \t]*"
)
_LINE_END = re.compile(r"[\r\n]|$")
_ADMIN = r"[가-힣]{1,12}(?:특별시|광역시|특별자치시|특별자치도|시|도|구|군|읍|면|동|리|로|길)"
_ADDRESS_LIKE = re.compile(
    rf"{_ADMIN}[ \t]*\d|{_ADMIN}[ \t]+{_ADMIN}(?![가-힣])|(?i:Seoul|Busan|Incheon|Daegu)"
)
_ADDRESS_LAX = re.compile(rf"\d|{_ADMIN}(?![가-힣])")


def find_patient_ids(text: str) -> Iterator[Identifier]:
    for match in _PATIENT_ID.finditer(text):
        value = match["value"]
        if len(value) >= 4 and sum(ch.isdigit() for ch in value) >= 3:
            yield Identifier(PATIENT_ID, match.start("value"), match.end("value"), "certain")


def find_birth_dates(text: str) -> Iterator[Identifier]:
    for match in _BIRTH_DATE.finditer(text):
        yield Identifier(BIRTH_DATE, match.start("value"), match.end("value"), "certain")


def find_addresses(text: str) -> Iterator[Identifier]:
    """The address after 주소 up to the end of the line or the next label."""
    line_end = -1
    for match in _ADDRESS.finditer(text):
        start = match.end()
        if start > line_end:  # labels on one line share its end: no rescanning
            found = _LINE_END.search(text, start)
            line_end = found.start() if found is not None else len(text)
        end = line_end
        stop = NEXT_LABEL.search(text, start, end)
        if stop is not None:
            end = stop.start()
        while end > start and text[end - 1] in " \t,;/|·":
            end -= 1
        value = text[start:end]
        looks_right = _ADDRESS_LAX if match["sep"].strip() else _ADDRESS_LIKE
        if end > start and looks_right.search(value):
            yield Identifier(ADDRESS, start, end, "certain")
