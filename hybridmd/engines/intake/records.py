"""Which of the files that arrived together belong to one record, and what each is.

A WFDB record is its ``.hea`` header plus the signal files the header names; every
other file is a record of its own. Annotation files are skipped (they are not needed to
show a tracing), anything unreadable is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hybridmd.engines.intake.archives import IncomingFile

ANNOTATION_SUFFIXES = (".atr", ".qrs", ".ann", ".ecg", ".pu", ".pu0", ".pu1", ".xws", ".hea-")
_LUDB_LEAD_SUFFIXES = (
    ".i", ".ii", ".iii", ".avr", ".avl", ".avf", ".v1", ".v2", ".v3", ".v4", ".v5", ".v6",
)  # fmt: skip
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")


@dataclass
class Record:
    name: str  # the name shown for the record (the header's, or the file's)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def is_program(data: bytes) -> bool:
    return data.startswith(_PROGRAM_MAGIC)


def _header_signal_files(header: bytes) -> list[str]:
    """The signal file names a WFDB header lists (second token of line one says how many)."""
    lines = [
        line.strip()
        for line in header.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return []
    parts = lines[0].split()
    try:
        count = int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return []
    names: list[str] = []
    for line in lines[1 : 1 + count]:
        name = line.split()[0]
        if name not in names and name != "~":
            names.append(name)
    return names


def group(files: list[IncomingFile]) -> tuple[list[Record], list[Skipped]]:
    by_name = {f.name: f for f in files}
    claimed: set[str] = set()
    records: list[Record] = []
    skipped: list[Skipped] = []
    for incoming in files:
        if not incoming.name.lower().endswith(".hea"):
            continue
        record = Record(name=incoming.name[:-4], files={incoming.name: incoming.data})
        claimed.add(incoming.name)
        for signal_name in _header_signal_files(incoming.data):
            if signal_name in by_name:
                record.files[signal_name] = by_name[signal_name].data
                claimed.add(signal_name)
        records.append(record)
    for incoming in files:
        if incoming.name in claimed:
            continue
        lower = incoming.name.lower()
        if lower.endswith(ANNOTATION_SUFFIXES + _LUDB_LEAD_SUFFIXES):
            skipped.append(Skipped(incoming.name, "an annotation file: not needed to show it"))
            continue
        records.append(Record(name=incoming.name, files={incoming.name: incoming.data}))
    return records, skipped
