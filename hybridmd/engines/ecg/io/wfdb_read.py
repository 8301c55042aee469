"""WFDB records (.hea + .dat / MATLAB v4 .mat signal files) from bytes in memory.

The header is parsed and every signal file is checked against it here, before wfdb sees
anything, so sizes are known and bounded; wfdb then decodes the samples from a private
temporary folder holding only the files the header names.
"""

from __future__ import annotations

import json
import struct
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io._common import check_fs_argument, mv_factor
from hybridmd.engines.ecg.io.wfdb_header import (
    SignalSpec,
    WfdbHeader,
    parse_header,
    samples_in_bytes,
)
from hybridmd.engines.ecg.limits import check_claims, check_fs, format_duration
from hybridmd.engines.ecg.model import ECG, FloatArray, build_ecg

# MATLAB v4 element type digit P -> bytes per element.
_MAT_ELEMENT_BYTES = {0: 8, 1: 4, 2: 4, 3: 2, 4: 2, 5: 1}
_FORMAT_BYTES = {"8": 1, "80": 1, "16": 2, "61": 2, "160": 2, "32": 4}


def read_wfdb(files: Mapping[str, bytes], header_name: str, *, fs: float | None) -> ECG:
    header = parse_header(files[header_name], file_name=header_name)
    source = f"The WFDB header {header_name}"
    if fs is not None and header.fs_given:
        check_fs_argument(header.fs, fs, source=source)
    record_fs = header.fs if header.fs_given or fs is None else fs
    check_fs(record_fs, source=source)
    if header.n_samples is not None:
        check_claims(header.n_samples, header.n_signals, record_fs, source=source)

    by_file: dict[str, list[SignalSpec]] = {}
    for spec in header.signals:
        by_file.setdefault(spec.file_name, []).append(spec)
    n_samples = header.n_samples
    for file_name, specs in by_file.items():
        if file_name not in files:
            raise ECGReadError(
                f"{header_name} refers to the signal file {file_name}, which was not uploaded."
            )
        frames = _frames_in_file(
            file_name, files[file_name], specs, header=header, fs=record_fs, n_files=len(by_file)
        )
        if n_samples is None:
            n_samples = frames
            check_claims(n_samples, header.n_signals, record_fs, source=source)
        _check_length(n_samples, frames, file_name, record_fs)
    if not n_samples:
        raise ECGReadError(f"The WFDB record {header_name} holds no samples.")
    signals = _decode(files, header, n_samples, record_fs, list(by_file))
    channels, meta = _channels(header, signals)
    return build_ecg(channels, record_fs, start=header.start, meta=meta)


def _channels(
    header: WfdbHeader, signals: FloatArray
) -> tuple[list[tuple[str, FloatArray]], dict[str, str]]:
    """Voltage signals converted to mV; others (PLETH, RESP in NU...) listed as dropped."""
    channels: list[tuple[str, FloatArray]] = []
    dropped, units = [], []
    for index, spec in enumerate(header.signals):
        label = spec.description or f"Signal {index + 1}"
        factor = mv_factor(spec.units)
        if factor is None:
            dropped.append(f"{label} ({spec.units})")
            continue
        channels.append((label, signals[:, index] * factor))
        units.append(spec.units)
    if not channels:
        raise ECGReadError(
            f"The WFDB record holds no ECG signal: none of its signals is in volts "
            f"({', '.join(dropped)})."
        )
    meta = {
        "format": "WFDB",
        "format_detail": "WFDB format " + "/".join(sorted({s.fmt for s in header.signals})),
        "lead_labels": json.dumps([label for label, _ in channels], ensure_ascii=False),
        "units": json.dumps(units, ensure_ascii=False),
    }
    if dropped:
        meta["dropped_signals"] = json.dumps(dropped, ensure_ascii=False)
    if header.comments:
        meta["header_comments"] = "\n".join(header.comments)
    if header.start_text:
        meta["header_start"] = header.start_text
    return channels, meta


def _frames_in_file(
    file_name: str,
    data: bytes,
    specs: list[SignalSpec],
    *,
    header: WfdbHeader,
    fs: float,
    n_files: int,
) -> int:
    if len({s.fmt for s in specs}) > 1:
        raise ECGReadError(f"The WFDB header mixes storage formats within {file_name}.")
    frame = sum(s.samples_per_frame for s in specs)
    if file_name.lower().endswith(".mat") or data.startswith(b"MATLAB"):
        return _frames_in_mat(file_name, data, specs[0], frame=frame, fs=fs, n_files=n_files)
    available = samples_in_bytes(specs[0].fmt, len(data) - specs[0].byte_offset)
    n_claimed = header.n_samples
    # Exactly whole signals' worth, but fewer than the header lists: the signal count is wrong.
    if n_claimed and available % n_claimed == 0 and 0 < available // n_claimed < frame:
        _wrong_signal_count(frame, available // n_claimed, file_name, n_files)
    return available // frame


def _frames_in_mat(
    file_name: str, data: bytes, spec: SignalSpec, *, frame: int, fs: float, n_files: int
) -> int:
    """Check the MATLAB v4 header of a WFDB .mat file against the .hea; return its columns."""
    if data.startswith(b"MATLAB"):
        raise ECGReadError(
            f"{file_name} is a MATLAB 5 (or later) file; WFDB signal files are MATLAB version 4."
        )
    if len(data) < 20:
        raise ECGReadError(f"{file_name} is too short to be a MATLAB signal file.")
    mat_type, rows, cols, imaginary, name_len = struct.unpack("<5i", data[:20])
    # MOPT type code: machine (0 = little-endian), 0, precision, matrix kind (0 = numeric).
    machine, other, kind = mat_type // 1000, mat_type // 100 % 10, mat_type % 10
    if not 0 <= mat_type < 5000 or machine or other or kind or imaginary or rows < 0 or cols < 0:
        raise ECGReadError(f"{file_name} is not a little-endian MATLAB v4 numeric matrix.")
    element = _MAT_ELEMENT_BYTES.get(mat_type // 10 % 10)
    expected = _FORMAT_BYTES.get(spec.fmt)
    if element is None or (expected is not None and element != expected):
        raise ECGReadError(
            f"{file_name} stores {element or '?'}-byte numbers, but the WFDB header says "
            f"format {spec.fmt}."
        )
    data_start = 20 + max(name_len, 0)
    if spec.byte_offset != data_start:
        raise ECGReadError(
            f"The WFDB header says the samples in {file_name} start at byte "
            f"{spec.byte_offset}, but the MATLAB file puts them at byte {data_start}."
        )
    if rows != frame:
        _wrong_signal_count(frame, rows, file_name, n_files)
    check_claims(cols, rows, fs, source=file_name)
    if len(data) - data_start < rows * cols * element:
        _check_length(cols, (len(data) - data_start) // max(rows * element, 1), file_name, fs)
    return int(cols)


def _wrong_signal_count(claimed: int, held: int, file_name: str, n_files: int) -> None:
    if n_files == 1:
        raise ECGReadError(f"The WFDB header says {claimed} signals but {file_name} holds {held}.")
    raise ECGReadError(
        f"The WFDB header puts {claimed} signals in {file_name}, but the file holds {held}."
    )


def _check_length(claimed: int, held: int, file_name: str, fs: float) -> None:
    said = (
        f"The WFDB header says {claimed:,} samples per signal "
        f"({format_duration(claimed / fs)} at {fs:g} Hz)"
    )
    if held < claimed:
        raise ECGReadError(
            f"{said}, but {file_name} holds only {held:,} ({format_duration(held / fs)}): "
            f"the file is truncated or the header is wrong."
        )
    if held > claimed + 1:
        raise ECGReadError(
            f"{said}, but {file_name} holds {held:,} ({format_duration(held / fs)}): "
            f"the header's sample count or sampling rate does not match this file."
        )


def _decode(
    files: Mapping[str, bytes], header: WfdbHeader, n_samples: int, fs: float, names: list[str]
) -> FloatArray:
    with warnings.catch_warnings():
        # wfdb 4.3 trips pandas deprecation warnings on import; they are wfdb's to fix.
        warnings.simplefilter("ignore")
        import wfdb  # noqa: PLC0415  (pandas-heavy; only needed when a WFDB record arrives)

    taken = {name.rsplit(".", 1)[0] for name in names} | set(names)
    record = next(f"record{i}" for i in range(len(taken) + 1) if f"record{i}" not in taken)
    with tempfile.TemporaryDirectory(prefix="hybridmd-ecg-") as tmp:
        folder = Path(tmp)
        (folder / f"{record}.hea").write_text(header.clean_text(record, fs, n_samples), "ascii")
        for name in names:
            (folder / name).write_bytes(files[name])
        try:
            result = wfdb.rdrecord(str(folder / record), physical=True, return_res=64)
        except Exception as exc:  # wfdb raises many types on malformed input
            raise ECGReadError(
                f"The WFDB signal data could not be decoded ({type(exc).__name__}: "
                f"{str(exc)[:120]})."
            ) from exc
    signal = np.asarray(result.p_signal, dtype=np.float64)
    if signal.ndim != 2 or signal.shape != (n_samples, header.n_signals):
        raise ECGReadError(
            f"The WFDB signal files decoded to {signal.shape} samples, "
            f"not {n_samples:,} × {header.n_signals} as the header says."
        )
    return signal
