"""Read and write ECG recordings: WFDB, DICOM waveform, HL7 aECG and CSV.

read_ecg({"100.hea": ..., "100.dat": ...}) -> ECG
sniff_ecg("x.dcm", first_bytes) -> "dicom"
write_wfdb(ecg, "rec") -> {"rec.hea": ..., "rec.dat": ...}
write_dicom_waveform(ecg) -> bytes
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io._common import check_file_name
from hybridmd.engines.ecg.io.aecg import read_aecg
from hybridmd.engines.ecg.io.csv_text import read_csv
from hybridmd.engines.ecg.io.dicom_read import read_dicom
from hybridmd.engines.ecg.io.dicom_write import write_dicom_waveform
from hybridmd.engines.ecg.io.sniff import SNIFF_BYTES, looks_like_xml, picture_kind, sniff_ecg
from hybridmd.engines.ecg.io.wfdb_read import read_wfdb
from hybridmd.engines.ecg.io.wfdb_write import write_wfdb
from hybridmd.engines.ecg.limits import check_fs
from hybridmd.engines.ecg.model import ECG

__all__ = ["read_ecg", "sniff_ecg", "write_dicom_waveform", "write_wfdb"]

_ACCEPTED = "WFDB (.hea with its .dat/.mat), DICOM ECG waveform, HL7 aECG XML or CSV"


def read_ecg(files: Mapping[str, bytes], *, fs: float | None = None) -> ECG:
    """One recording from its files (plain base names -> contents).

    A WFDB record is its .hea plus the signal files the header names; other files
    (annotations such as .atr) are ignored. Anything unusable raises ECGReadError.
    """
    contents = _checked(files)
    fs = _checked_fs(fs)
    kinds = {name: sniff_ecg(name, data[:SNIFF_BYTES]) for name, data in contents.items()}

    headers = sorted(name for name, kind in kinds.items() if kind == "wfdb-header")
    if len(headers) > 1:
        raise ECGReadError(
            f"Upload one recording at a time: found {len(headers)} WFDB headers "
            f"({', '.join(headers[:5])})."
        )
    if headers:
        return read_wfdb(contents, headers[0], fs=fs)
    records = sorted(
        (name, kind) for name, kind in kinds.items() if kind in ("dicom", "hl7-aecg", "csv")
    )
    if len(records) > 1:
        raise ECGReadError(
            f"Upload one recording at a time: {', '.join(n for n, _ in records[:5])} "
            f"are separate recordings."
        )
    if records:
        name, kind = records[0]
        reader = {"dicom": read_dicom, "hl7-aecg": read_aecg, "csv": read_csv}[kind]
        return reader(name, contents[name], fs=fs)
    # Not sniffed as a record, but XML or named .hea/.csv: let that reader say what is wrong.
    for name, data in sorted(contents.items()):
        if picture_kind(data[:SNIFF_BYTES]):
            continue
        if looks_like_xml(data[:SNIFF_BYTES]):
            return read_aecg(name, data, fs=fs)
        if name.lower().endswith(".hea"):
            return read_wfdb(contents, name, fs=fs)
        if name.lower().endswith((".csv", ".tsv")):
            return read_csv(name, data, fs=fs)
    raise _explain_refusal(contents, kinds)


def _checked(files: Mapping[str, bytes]) -> dict[str, bytes]:
    if not files:
        raise ECGReadError("No file was uploaded.")
    for name, data in files.items():
        check_file_name(name)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ECGReadError(f"{name} was not uploaded as a file.")
    return {name: bytes(data) for name, data in files.items()}


def _checked_fs(fs: float | None) -> float | None:
    if fs is None:
        return None
    if isinstance(fs, bool) or not isinstance(fs, int | float) or not math.isfinite(fs):
        raise ECGReadError("The sampling rate given is not a number.")
    check_fs(float(fs), source="The sampling rate given")
    return float(fs)


def _explain_refusal(
    contents: Mapping[str, bytes], kinds: Mapping[str, str | None]
) -> ECGReadError:
    for name, data in contents.items():
        kind = picture_kind(data[:SNIFF_BYTES])
        if kind and kind.startswith("a PDF"):
            return ECGReadError(
                f"{name} is a PDF document, such as a printed ECG report, not a recorded signal; "
                f"please upload the machine's signal export ({_ACCEPTED})."
            )
        if kind:
            return ECGReadError(
                f"{name} is {kind} of an ECG, not a recorded signal; a picture cannot be read "
                f"as an ECG recording, so please upload the machine's signal export ({_ACCEPTED})."
            )
    for name, data in contents.items():
        if data[:4] == b"PK\x03\x04":
            return ECGReadError(f"{name} is a ZIP archive; unpack it and upload the files inside.")
    signals = [name for name, kind in kinds.items() if kind == "wfdb-signal"]
    if signals:
        return ECGReadError(
            f"{signals[0]} is a WFDB signal file; it needs its .hea header file too."
        )
    names = ", ".join(sorted(contents)[:5])
    return ECGReadError(f"None of the files ({names}) is an ECG recording in {_ACCEPTED} format.")
