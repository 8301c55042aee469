"""Identifiers that are numbers or addresses by their shape: 주민등록번호, phones, e-mail.

* A 주민등록번호 (and 외국인등록번호) is ``YYMMDD-GNNNNNN``, with a hyphen, a space or
  nothing in between. The seventh digit gives sex and century (1, 2, 5, 6: 1900s;
  3, 4, 7, 8: 2000s; 9, 0: 1800s) and the birth date must exist in that century. With
  a valid check digit it is certain. Numbers issued since October 2020 have no check
  digit, so a valid date alone makes it likely. Masked forms (``850302-1******``) are
  still identifiers: they give the birth date and sex.
* Phones: mobile 010/011/016-019, Seoul 02, the area codes 031-064, 070 and the 050x
  safe numbers, written with hyphens, dots, spaces or nothing, and the ``+82`` forms.
  Business numbers (1588-xxxx and the like) are not personal and are left alone,
  except that after a label such as 연락처 an 8-digit local number counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hybridmd.engines.documents.deid.model import (
    EMAIL,
    HYPHENS,
    MASKS,
    PHONE,
    RRN,
    Certainty,
    Identifier,
    valid_date,
)

_HY = re.escape(HYPHENS)
_MASK = re.escape(MASKS)
# Masked: some digits, then masks to the end (1******, 1234***, *******).
_MASKED_BACK = "|".join(rf"\d{{{k}}}[{_MASK}]{{{7 - k}}}" for k in range(7))
_RRN = re.compile(
    rf"(?<!\d)(?P<date>\d{{6}})(?P<sep>[ \t]?[{_HY}][ \t]?|[ \t]|)"
    rf"(?P<back>\d{{7}}(?!\d)|{_MASKED_BACK})"
)
_RRN_LABEL_BEFORE = re.compile(
    r"(?:주민\s?(?:등록\s?)?번호|외국인\s?등록\s?번호|(?i:RRN))[ \t]*[:：]?[ \t]*$"
)
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_CENTURY = (  # the 7th digit: sex and century of birth
    dict.fromkeys((1, 2, 5, 6), 1900) | dict.fromkeys((3, 4, 7, 8), 2000) | {9: 1800, 0: 1800}
)

_SEP = rf"(?:[ \t]?[{_HY}.][ \t]?|[ \t])?"
_PHONE = re.compile(
    r"(?:"
    rf"(?P<intl>(?:\+[ \t]?|(?<!\d)00)82[ \t{_HY}.]?(?:\(0\)[ \t]?)?0?)"
    r"(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|50[2-8])"
    r"|(?:\((?=0)|(?<!\d))(?P<area>01[016789]|02|0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])|070|050[2-8])\)?"
    rf")(?P<s1>{_SEP})\d{{3,4}}(?P<s2>{_SEP})\d{{4}}(?!\d)"
)
_LOCAL_PHONE = re.compile(
    r"(?:(?<![가-힣\]])(?:연락처|전화\s?번호|전화|휴대\s?전화|휴대폰|핸드폰)"
    r"|(?<![A-Za-z\]])(?i:Tel|Phone|Mobile|Cell|H\.?P)\.?(?![A-Za-z]))"
    rf"[ \t]*[:：)]?[ \t]*(?P<number>(?!1[5-8]\d\d)\d{{3,4}}{_SEP}\d{{4}})(?!\d)"
)
# A digit may follow the domain: it can start a phone number glued to the address.
_EMAIL_BODY = r"[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![A-Za-z-])"
_EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+-]){_EMAIL_BODY}")  # from the start of a word
_EMAIL_NEXT = re.compile(_EMAIL_BODY)  # glued to the previous one: a@b.co.c@d.co


def rrn_checksum_ok(digits: str) -> bool:
    """The check digit of a 13-digit 주민등록번호 (or the older 외국인등록번호 rule)."""
    values = [int(ch) for ch in digits]
    total = sum(w * v for w, v in zip(_WEIGHTS, values, strict=False))
    if (11 - total % 11) % 10 == values[12]:
        return True
    return values[6] in (5, 6, 7, 8) and (13 - total % 11) % 10 == values[12]


def _ean13_ok(digits: str) -> bool:
    values = [int(ch) for ch in digits]
    total = sum(v * (3 if i % 2 else 1) for i, v in enumerate(values[:12]))
    return (10 - total % 10) % 10 == values[12]


def _born(date: str, gender: str) -> bool:
    """A real birth date for this sex/century digit; any century if it is masked."""
    yy, mm, dd = int(date[:2]), int(date[2:4]), int(date[4:])
    centuries = [_CENTURY[int(gender)]] if gender.isdigit() else [1900, 2000]
    return any(valid_date(century + yy, mm, dd) for century in centuries)


def _rrn_certainty(match: re.Match[str], text: str) -> Certainty | None:
    date, back = match["date"], match["back"]
    if not _born(date, back[0]):
        return None
    if not back.isdigit():  # masked
        return "certain" if any(ch.isdigit() for ch in back) or match["sep"] else "likely"
    digits = date + back
    if rrn_checksum_ok(digits):
        return "certain"
    if not match["sep"] and digits.startswith("880") and _ean13_ok(digits):
        return None  # a Korean product barcode (drug standard code), not a person
    if _RRN_LABEL_BEFORE.search(text, max(0, match.start() - 16), match.start()):
        return "certain"
    return "likely"


def find_rrns(text: str) -> Iterator[Identifier]:
    for match in _RRN.finditer(text):
        certainty = _rrn_certainty(match, text)
        if certainty is not None:
            yield Identifier(RRN, match.start(), match.end(), certainty)


def find_phones(text: str) -> Iterator[Identifier]:
    for match in _PHONE.finditer(text):
        written_out = bool(match["intl"] or match["s1"] or match["s2"])
        mobile = (match["area"] or "").startswith("01")
        certainty: Certainty = "certain" if written_out or mobile else "likely"
        yield Identifier(PHONE, match.start(), match.end(), certainty)
    for match in _LOCAL_PHONE.finditer(text):
        yield Identifier(PHONE, match.start("number"), match.end("number"), "certain")


def find_emails(text: str) -> Iterator[Identifier]:
    match = _EMAIL.search(text)
    while match is not None:
        yield Identifier(EMAIL, match.start(), match.end(), "certain")
        glued = _EMAIL_NEXT.match(text, match.end())
        match = glued if glued is not None else _EMAIL.search(text, match.end())
