"""Helpers shared by the format readers: safe names, units, text decoding, start times."""

from __future__ import annotations

import re
from datetime import datetime

from hybridmd.engines.ecg.errors import ECGReadError

# Factor from a voltage unit to millivolts; anything else is not an ECG channel.
_TO_MV: dict[str, float] = {
    "mv": 1.0,
    "millivolt": 1.0,
    "millivolts": 1.0,
    "uv": 1e-3,
    "µv": 1e-3,
    "μv": 1e-3,
    "microvolt": 1e-3,
    "microvolts": 1e-3,
    "v": 1e3,
    "volt": 1e3,
    "volts": 1e3,
    "nv": 1e-6,
    "nanovolt": 1e-6,
}

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


def mv_factor(unit: str) -> float | None:
    """Millivolts per ``unit``, or None when the unit is not a voltage (e.g. NU, mmHg)."""
    return _TO_MV.get(unit.strip().lower())


def check_file_name(name: str) -> None:
    """Only plain base names: no folders, no parent references, no absolute paths."""
    if not isinstance(name, str) or not name or name in {".", ".."}:
        raise ECGReadError("Every uploaded file needs a plain file name.")
    if (
        "/" in name
        or "\\" in name
        or "\x00" in name
        or name.startswith("~")
        or _WINDOWS_DRIVE.match(name)
        or name.strip() != name
    ):
        shown = name.replace("\x00", "")[:80]
        raise ECGReadError(
            f'The file name "{shown}" contains a folder or an unsafe path; '
            f"upload files by their plain names only."
        )


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM; else UTF-8 (with or without BOM), the Korean Windows code page,
    then Latin-1. NUL bytes are dropped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data[: len(data) // 2 * 2].decode("utf-16", errors="replace").replace("\x00", "")
    data = data.replace(b"\x00", b"")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def split_lines(text: str) -> list[str]:
    """CRLF, LF and lone CR all end a line (unlike str.splitlines, nothing else does)."""
    return re.split(r"\r\n|\r|\n", text)


def parse_timestamp(value: str) -> datetime | None:
    """HL7/DICOM style YYYYMMDD[HHMMSS[.ffffff]], ignoring any time-zone suffix."""
    match = re.match(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?", value.strip())
    if not match:
        return None
    date, hh, mm, ss, frac = match.groups()
    try:
        return datetime(
            int(date[:4]),
            int(date[4:6]),
            int(date[6:8]),
            int(hh or 0),
            int(mm or 0),
            int(ss or 0),
            int((frac or "0").ljust(6, "0")),
        )
    except ValueError:
        return None


def check_fs_argument(file_fs: float, given: float | None, *, source: str) -> None:
    if given is None:
        return
    if abs(file_fs - given) > 0.001 * max(file_fs, given):
        raise ECGReadError(
            f"{source} says the sampling rate is {file_fs:g} Hz, but {given:g} Hz was given."
        )
