"""What a found identifier is, what each kind is called and what replaces it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

Certainty = Literal["certain", "likely"]

RRN = "rrn"
PHONE = "phone"
PATIENT_ID = "patient_id"
BIRTH_DATE = "birth_date"
NAME = "name"
EMAIL = "email"
ADDRESS = "address"

# Most specific first: between overlapping finds, equally certain and long, the earlier kind
# names the merged span.
KINDS: tuple[str, ...] = (RRN, PHONE, EMAIL, PATIENT_ID, BIRTH_DATE, ADDRESS, NAME)

PLACEHOLDERS: dict[str, str] = {
    RRN: "[주민등록번호]",
    PHONE: "[전화번호]",
    PATIENT_ID: "[환자번호]",
    BIRTH_DATE: "[생년월일]",
    NAME: "[이름]",
    EMAIL: "[이메일]",
    ADDRESS: "[주소]",
}

DESCRIPTIONS: dict[str, str] = {
    RRN: "resident registration number",
    PHONE: "phone number",
    PATIENT_ID: "patient number",
    BIRTH_DATE: "date of birth",
    NAME: "name",
    EMAIL: "e-mail address",
    ADDRESS: "address",
}

# Characters that separate the parts of a number: ASCII and typographic hyphens.
HYPHENS = "-‐‑‒–—−－"
# What a masked digit is written with: 850302-1******, 850302-1xxxxxx, 850302-1●●●●●●.
MASKS = "*＊●○◯•#xX×"


@dataclass(frozen=True)
class Identifier:
    """One identifying stretch ``text[start:end]``; it never holds the value itself."""

    kind: str
    start: int
    end: int
    certainty: Certainty

    def __post_init__(self) -> None:
        if self.kind not in PLACEHOLDERS:
            raise ValueError(f"unknown identifier kind {self.kind!r}")
        if not 0 <= self.start < self.end:
            raise ValueError("an identifier covers at least one character")


def valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True
