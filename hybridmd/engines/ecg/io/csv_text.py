"""Delimited text: one column per lead, a header row naming them, optional time column.

# fs=500            (or "# fs: 500 Hz", "# sampling rate = 500")
# unit=uV           (default mV; "# units: µV" works too)
time;I;II;III
0.000;0.01;0.12;0.11
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io._common import decode_text, mv_factor, split_lines
from hybridmd.engines.ecg.limits import MAX_TOTAL_SAMPLES, too_many_samples
from hybridmd.engines.ecg.model import ECG, FloatArray, build_ecg

_FS_COMMENT = re.compile(
    r"^#\s*(?:fs|sampling[\s_-]*(?:rate|frequency)|sample[\s_-]*rate)\s*[:=]\s*"
    r"(?P<value>\S+?)\s*(?:hz)?\s*$",
    re.IGNORECASE,
)
_UNIT_COMMENT = re.compile(r"^#\s*units?\s*[:=]\s*(?P<unit>\S+)\s*$", re.IGNORECASE)
_COLUMN_UNIT = re.compile(r"^(?P<name>.*?)\s*[\[(]\s*(?P<unit>[^\[\]()\s]+)\s*[\])]$")
_SECONDS = {"time", "t", "sec", "secs", "second", "seconds", "s", "times", "timesec"}
_MILLISECONDS = {"ms", "msec", "millisecond", "milliseconds", "timems", "timemsec", "tms"}
_NOT_NAME = re.compile(r"[\s\[\]()_]+")

MISSING_FS = "Say the sampling rate: add a line '# fs=500' or give fs."


def read_csv(name: str, data: bytes, *, fs: float | None) -> ECG:
    content, comment_fs, unit, comments = _split_comments(split_lines(decode_text(data)), name)
    default_factor = mv_factor(unit)
    if default_factor is None:
        raise ECGReadError(f"{name} says its unit is {unit[:20]!r}, which is not a voltage.")
    if not content:
        raise ECGReadError(f"{name} holds no data rows.")
    delimiter, names = _header_row(content[0][1], name)
    rows = content[1:]
    if not rows:
        raise ECGReadError(f"{name} has a header row but no samples.")
    if len(rows) * len(names) > MAX_TOTAL_SAMPLES:
        raise too_many_samples(len(rows) * len(names), source=name)
    matrix = _parse_rows(rows, names, delimiter, name)

    time_columns = [i for i, column_name in enumerate(names) if _time_scale(column_name)]
    if len(time_columns) > 1:
        raise ECGReadError(f"{name} has more than one time column.")
    time_fs = None
    if time_columns:
        index = time_columns[0]
        time_fs = _fs_from_time(matrix[:, index] * _time_scale(names[index]), rows, name)
    rate = _agree(name, given=fs, comment=comment_fs, time=time_fs)

    channels: list[tuple[str, FloatArray]] = []
    units: list[str] = []
    for index, column_name in enumerate(names):
        if index in time_columns:
            continue
        label, factor, column_unit = column_name, default_factor, unit
        match = _COLUMN_UNIT.match(column_name)
        if match and (column_factor := mv_factor(match["unit"])) is not None:
            label, factor, column_unit = match["name"] or column_name, column_factor, match["unit"]
        channels.append((label, np.ascontiguousarray(matrix[:, index]) * factor))
        units.append(column_unit)
    if not channels:
        raise ECGReadError(f"{name} has a time column but no lead columns.")
    meta = {"format": "CSV", "units": json.dumps(units, ensure_ascii=False)}
    if comments:
        meta["header_comments"] = "\n".join(comments)
    return build_ecg(channels, rate, start=None, meta=meta)


def _header_row(line: str, name: str) -> tuple[str | None, list[str]]:
    delimiter = next((d for d in ("\t", ";", ",") if d in line), None)
    names = [_cell(c) for c in (line.split(delimiter) if delimiter else [line])]
    if all(_is_number(n) for n in names):
        raise ECGReadError(
            f"{name} needs a header row naming the leads (for example 'I,II,III') "
            f"before the numbers."
        )
    for position, column_name in enumerate(names, start=1):
        if not column_name:
            raise ECGReadError(f"Column {position} of the header row in {name} has no name.")
    return delimiter, names


def _split_comments(
    lines: list[str], name: str
) -> tuple[list[tuple[int, str]], float | None, str, list[str]]:
    """Data lines (with their line numbers), the '# fs' rate, the '# unit', other comments."""
    comment_fs: float | None = None
    unit = "mV"
    comments: list[str] = []
    content: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            content.append((number, line))
        elif match := _FS_COMMENT.match(stripped):
            comment_fs = _parse_fs(match["value"], name)
        elif match := _UNIT_COMMENT.match(stripped):
            unit = match["unit"]
        else:
            comments.append(stripped.lstrip("#").strip())
    return content, comment_fs, unit, comments


def _cell(text: str) -> str:
    return text.strip().strip('"').strip()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_fs(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ECGReadError(f"{name} gives the sampling rate as {text[:20]!r}.") from None
    return value


def _parse_rows(
    rows: list[tuple[int, str]], names: list[str], delimiter: str | None, name: str
) -> FloatArray:
    matrix = np.empty((len(rows), len(names)), dtype=np.float64)
    width = len(names)
    for index, (number, line) in enumerate(rows):
        cells = line.split(delimiter) if delimiter else [line]
        if len(cells) != width:
            raise ECGReadError(
                f"The header row of {name} names {width} columns but row {number} has "
                f"{len(cells)} fields."
            )
        try:
            matrix[index] = [float(_cell(c)) if c.strip() else math.nan for c in cells]
        except ValueError:
            column, cell = next((names[i], c) for i, c in enumerate(cells) if not _ok(c))
            hint = " (use a decimal point, not a comma)" if "," in cell else ""
            raise ECGReadError(
                f"Row {number}, column {column} of {name} holds {_cell(cell)[:20]!r}, "
                f"which is not a number{hint}."
            ) from None
    return matrix


def _ok(cell: str) -> bool:
    return not cell.strip() or _is_number(_cell(cell))


def _time_scale(column: str) -> float:
    key = _NOT_NAME.sub("", column.lower())
    if key in _SECONDS:
        return 1.0
    if key in _MILLISECONDS:
        return 1e-3
    return 0.0


def _fs_from_time(times: FloatArray, rows: list[tuple[int, str]], name: str) -> float:
    if len(times) < 2:
        raise ECGReadError(f"{name} needs at least two rows to tell the sampling rate.")
    if not np.all(np.isfinite(times)):
        bad = int(np.argmax(~np.isfinite(times)))
        raise ECGReadError(f"The time column of {name} is empty or invalid at row {rows[bad][0]}.")
    step = (times[-1] - times[0]) / (len(times) - 1)
    if step <= 0:
        raise ECGReadError(f"The time column of {name} does not increase.")
    deviation = np.abs(times - (times[0] + step * np.arange(len(times))))
    if np.any(deviation > step / 2):
        bad = int(np.argmax(deviation > step / 2))
        raise ECGReadError(
            f"The time column of {name} is not evenly spaced (near row {rows[bad][0]}); "
            f"samples must be taken at one steady rate."
        )
    return float(1.0 / step)


def _agree(name: str, *, given: float | None, comment: float | None, time: float | None) -> float:
    sources = [
        (label, value, tolerance)
        for label, value, tolerance in (
            ("the fs given", given, 0.001),
            ("the '# fs' line", comment, 0.001),
            ("the time column", time, 0.005),
        )
        if value is not None
    ]
    if not sources:
        raise ECGReadError(MISSING_FS)
    first_label, first, _ = sources[0]
    for label, value, tolerance in sources[1:]:
        if not abs(value - first) <= tolerance * max(abs(first), abs(value)):
            raise ECGReadError(
                f"The sampling rates disagree in {name}: {first_label} says {first:g} Hz "
                f"but {label} says {value:g} Hz."
            )
    return first
