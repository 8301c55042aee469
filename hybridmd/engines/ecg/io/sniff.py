"""What kind of file is this? Decided by content; the name only marks WFDB signal files."""

from __future__ import annotations

import re

from hybridmd.engines.ecg.io._common import split_lines

SNIFF_BYTES = 4096

_RECORD_LINE = re.compile(
    r"^[A-Za-z0-9_][\w.~-]*(?:/\d+)?[ \t]+\d+"
    r"(?:[ \t]+[\d.eE+-]+(?:/[\d.eE+-]+(?:\([\d.eE+-]+\))?)?(?:[ \t]+\d+(?:[ \t].*)?)?)?[ \t]*$"
)
_SIGNAL_LINE = re.compile(r"^\S+[ \t]+\d+(?:x\d+)?(?::\d+)?(?:\+\d+)?(?:[ \t]|$)")
_SEGMENT_LINE = re.compile(r"^\S+[ \t]+\d+[ \t]*$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^(?:nan|NaN|NAN)$")

_PICTURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG picture"),
    (b"\xff\xd8\xff", 0, "a JPEG picture"),
    (b"GIF87a", 0, "a GIF picture"),
    (b"GIF89a", 0, "a GIF picture"),
    (b"II*\x00", 0, "a TIFF picture"),
    (b"MM\x00*", 0, "a TIFF picture"),
    (b"ftypheic", 4, "a HEIC photo"),
    (b"ftypheix", 4, "a HEIC photo"),
    (b"ftypmif1", 4, "a HEIF photo"),
    (b"%PDF-", 0, "a PDF document"),
)
_BMP_INFO_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})


def sniff_ecg(name: str, head: bytes) -> str | None:
    """ "wfdb-header", "wfdb-signal", "dicom", "hl7-aecg", "csv" or None.

    ``head`` is the start of the file (a few KB is enough).
    """
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if picture_kind(head) or head.startswith(b"PK\x03\x04"):
        return None
    text = _as_text(head)
    kind = _text_kind(text) if text is not None else None
    if kind is None and name.lower().endswith((".dat", ".mat")):
        return "wfdb-signal"
    return kind


def _text_kind(text: str) -> str | None:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<"):
        return "hl7-aecg" if "AnnotatedECG" in stripped[:SNIFF_BYTES] else None
    if _looks_like_wfdb_header(text):
        return "wfdb-header"
    if _looks_like_csv(text):
        return "csv"
    return None


def picture_kind(head: bytes) -> str | None:
    """ "a PNG picture", "a PDF document"... for the refusal message, else None."""
    for magic, offset, kind in _PICTURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP picture"
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_INFO_SIZES:
        return "a BMP picture"
    return None


def looks_like_xml(head: bytes) -> bool:
    text = _as_text(head)
    return text is not None and text.lstrip("\ufeff \t\r\n").startswith("<")


def _as_text(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _plain(head[: len(head) // 2 * 2].decode("utf-16", errors="replace"))
    head = head.replace(b"\x00", b"")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The sniffed head may cut a multi-byte character in half.
        if exc.start < len(head) - 4:
            try:
                text = head.decode("cp949")
            except UnicodeDecodeError:
                return None
        else:
            text = head[: exc.start].decode("utf-8-sig")
    return _plain(text)


def _plain(text: str) -> str | None:
    if any(ch < " " and ch not in "\t\r\n\x0c" for ch in text):
        return None
    return text


def _content_lines(text: str) -> list[str]:
    return [
        line.strip()
        for line in split_lines(text)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _looks_like_wfdb_header(text: str) -> bool:
    lines = _content_lines(text)
    if not lines or not _RECORD_LINE.match(lines[0]):
        return False
    if len(lines) == 1:
        return True
    return bool(_SIGNAL_LINE.match(lines[1]) or _SEGMENT_LINE.match(lines[1]))


def _looks_like_csv(text: str) -> bool:
    lines = _content_lines(text)
    if not lines:
        return False
    delimiter = next((d for d in ("\t", ";", ",") if d in lines[0]), None)
    header = [c.strip() for c in lines[0].split(delimiter)] if delimiter else [lines[0]]
    if all(_NUMBER.match(cell) for cell in header) or not all(header):
        return False
    if len(lines) < 2:
        return delimiter is not None
    # The last sniffed line may be cut short; judge by the first data line.
    cells = [c.strip() for c in lines[1].split(delimiter)] if delimiter else [lines[1]]
    return all(not cell or _NUMBER.match(cell) for cell in cells)
