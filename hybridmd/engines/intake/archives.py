"""Files as they arrive: plain files, or ZIP archives as PACS and ECG carts export them.

Archives are opened defensively: names are reduced to their last part (no directories,
no ``..``), the declared sizes are checked before anything is extracted, every entry is
read with a hard cap whatever its header claims (a lying header cannot inflate past the
limit), and the number of entries and the compression ratio are bounded (zip bombs).
Archives inside archives are refused rather than expanded.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from hybridmd.engines.intake.errors import IntakeError

MAX_ENTRIES = 2000
MAX_RATIO = 200  # uncompressed / compressed, per entry; real DICOM/WFDB stay far below
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class IncomingFile:
    name: str  # the last part of the name only
    data: bytes


def safe_name(raw: str) -> str:
    """The last part of a path, without directories, drive letters or control characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if name in {"", ".", ".."}:
        raise IntakeError("A file has no usable name.")
    return name[:200]


def is_zip(data: bytes) -> bool:
    return data[:4] == _ZIP_MAGIC


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    with archive.open(info) as stream:
        data = stream.read(cap + 1)
    if len(data) > cap:
        name = safe_name(info.filename)
        raise IntakeError(f"The archive entry {name!r} is larger than it says; it was refused.")
    return data


def expand(files: Iterable[IncomingFile], *, max_total_bytes: int) -> list[IncomingFile]:
    """Plain files as they are; each ZIP replaced by its entries. Raises IntakeError."""
    out: list[IncomingFile] = []
    total = 0
    for incoming in files:
        if not is_zip(incoming.data):
            total += len(incoming.data)
            out.append(incoming)
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(incoming.data))
            entries = [i for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise IntakeError(f"{incoming.name!r} is a damaged ZIP archive.") from exc
        if len(entries) > MAX_ENTRIES:
            raise IntakeError(f"{incoming.name!r} holds more than {MAX_ENTRIES} files.")
        with archive:
            for info in entries:
                path = info.filename.replace("\\", "/")
                if "__MACOSX/" in path or posixpath.basename(path).startswith("."):
                    continue
                if info.flag_bits & 0x1:
                    raise IntakeError(f"{incoming.name!r} is encrypted; send it unencrypted.")
                if info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise IntakeError(
                        f"{incoming.name!r} expands far beyond its size (a ZIP bomb?); refused."
                    )
                total += info.file_size
                if total > max_total_bytes:
                    raise IntakeError(
                        f"{incoming.name!r} unpacks to more than {max_total_bytes // 2**20} MB."
                    )
                data = _read_capped(archive, info, info.file_size)
                if is_zip(data):
                    raise IntakeError(
                        f"{incoming.name!r} contains another ZIP archive; unpack it first."
                    )
                out.append(IncomingFile(name=safe_name(path), data=data))
        if total > max_total_bytes:
            break
    if total > max_total_bytes:
        raise IntakeError(f"These files add up to more than {max_total_bytes // 2**20} MB.")
    return out
