"""A tolerant reader for WFDB .hea headers, independent of the wfdb package.

It accepts the real-world quirks (leading comments, CRLF / CR-only lines, NUL bytes, the
CinC 2017 "YYYY-MM-DD HH:MM:SS" date-before-time) and returns what is needed to check the
signal files before anything is decoded, plus a clean header that wfdb can parse.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io._common import decode_text, split_lines

DEFAULT_FS = 250.0  # WFDB's default when the header gives none
DEFAULT_GAIN = 200.0

# Bytes per sample; 212/310/311 pack several samples into a few bytes.
_SAMPLES_PER_BYTES: dict[str, tuple[int, int]] = {
    "8": (1, 1),
    "80": (1, 1),
    "16": (1, 2),
    "61": (1, 2),
    "160": (1, 2),
    "24": (1, 3),
    "32": (1, 4),
    "212": (2, 3),
    "310": (3, 4),
    "311": (3, 4),
}
SUPPORTED_FORMATS = frozenset(_SAMPLES_PER_BYTES)

_RECORD = re.compile(r"^(?P<name>[^\s/]+)(?:/(?P<nseg>\d+))?\s+(?P<nsig>\d+)(?P<rest>(?:\s.*)?)$")
_FORMAT = re.compile(r"^(?P<fmt>\d+)(?:x(?P<spf>\d+))?(?::(?P<skew>\d+))?(?:\+(?P<off>\d+))?$")
_GAIN = re.compile(
    r"^(?P<gain>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
    r"(?:\((?P<baseline>[-+]?\d+)\))?(?:/(?P<units>\S*))?$"
)
_FS = re.compile(r"^(?P<fs>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:/\S*)?$")
_SAFE_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


@dataclass(frozen=True)
class SignalSpec:
    file_name: str
    fmt: str
    samples_per_frame: int
    skew: int
    byte_offset: int
    gain: float
    baseline: int | None
    units: str
    description: str


@dataclass(frozen=True)
class WfdbHeader:
    record_name: str
    n_signals: int
    fs: float
    fs_given: bool
    n_samples: int | None
    start: datetime | None
    start_text: str
    signals: tuple[SignalSpec, ...]
    comments: tuple[str, ...]

    def clean_text(self, record_name: str, fs: float, n_samples: int) -> str:
        """An ASCII header wfdb 4.x parses, rebuilt from the parsed fields (no comments,
        no start time, placeholder signal names: this module names the leads itself)."""
        lines = [f"{record_name} {self.n_signals} {fs!r} {n_samples}"]
        for number, s in enumerate(self.signals, start=1):
            spec = s.fmt + (f"x{s.samples_per_frame}" if s.samples_per_frame != 1 else "")
            spec += (f":{s.skew}" if s.skew else "") + (
                f"+{s.byte_offset}" if s.byte_offset else ""
            )
            baseline = s.baseline or 0
            lines.append(
                f"{s.file_name} {spec} {s.gain!r}({baseline})/mV 0 {baseline} 0 0 0 s{number}"
            )
        return "\n".join(lines) + "\n"


def samples_in_bytes(fmt: str, n_bytes: int) -> int:
    samples, per_bytes = _SAMPLES_PER_BYTES[fmt]
    return (max(n_bytes, 0) * samples) // per_bytes


def bytes_for_samples(fmt: str, n_samples: int) -> int:
    samples, per_bytes = _SAMPLES_PER_BYTES[fmt]
    return -((-n_samples * per_bytes) // samples)


def parse_header(data: bytes, *, file_name: str) -> WfdbHeader:
    lines = [line.strip() for line in split_lines(decode_text(data))]
    comments = [line.lstrip("#").strip() for line in lines if line.startswith("#")]
    body = [line for line in lines if line and not line.startswith("#")]
    if not body:
        raise ECGReadError(f"{file_name} is empty: a WFDB header needs a record line.")
    match = _RECORD.match(body[0])
    if not match:
        raise ECGReadError(f"The first line of {file_name} is not a WFDB record line.")
    if match["nseg"]:
        raise ECGReadError(
            f"{file_name} describes a multi-segment WFDB record; "
            f"please upload a single-segment record (one .hea with its signal files)."
        )
    n_signals = int(match["nsig"])
    fields = match["rest"].split()
    fs, fs_given = DEFAULT_FS, False
    if fields:
        fs_match = _FS.match(fields[0])
        if not fs_match:
            raise ECGReadError(f'{file_name} gives the sampling rate as "{fields[0][:20]}".')
        fs, fs_given = float(fs_match["fs"]), True
    n_samples: int | None = None
    if len(fields) > 1:
        if not fields[1].isdigit():
            raise ECGReadError(f'{file_name} gives the number of samples as "{fields[1][:20]}".')
        n_samples = int(fields[1]) or None
    start_text = " ".join(fields[2:])
    start = _parse_start(fields[2:])
    if n_signals == 0:
        raise ECGReadError(f"{file_name} says the record has no signals.")
    signal_lines = body[1 : 1 + n_signals]
    if len(signal_lines) < n_signals:
        raise ECGReadError(
            f"The WFDB header says {n_signals} signals but lists only "
            f"{len(signal_lines)} signal line{'s' if len(signal_lines) != 1 else ''}."
        )
    signals = tuple(_parse_signal(line, i + 1, file_name) for i, line in enumerate(signal_lines))
    return WfdbHeader(
        record_name=match["name"],
        n_signals=n_signals,
        fs=fs,
        fs_given=fs_given,
        n_samples=n_samples,
        start=start,
        start_text=start_text,
        signals=signals,
        comments=tuple(comments),
    )


def _parse_signal(line: str, number: int, file_name: str) -> SignalSpec:
    parts = line.split(None, 8)
    where = f"signal line {number} of {file_name}"
    if len(parts) < 2:
        raise ECGReadError(f"The {where} has no storage format.")
    signal_file = parts[0]
    if not _SAFE_FILE.match(signal_file) or ".." in signal_file:
        raise ECGReadError(
            f"The {where} names its signal file with a folder or unsafe path; "
            f"only plain file names next to the header are accepted."
        )
    fmt_match = _FORMAT.match(parts[1])
    if not fmt_match:
        raise ECGReadError(f'The {where} has an unreadable storage format "{parts[1][:20]}".')
    fmt = fmt_match["fmt"]
    if fmt not in SUPPORTED_FORMATS:
        raise ECGReadError(
            f"The {where} uses WFDB storage format {fmt}, which this site does not read "
            f"(supported: {', '.join(sorted(SUPPORTED_FORMATS, key=int))})."
        )
    gain, baseline, units = DEFAULT_GAIN, None, "mV"
    if len(parts) > 2:
        gain_match = _GAIN.match(parts[2])
        if not gain_match:
            raise ECGReadError(f'The {where} has an unreadable gain "{parts[2][:30]}".')
        gain = float(gain_match["gain"]) or DEFAULT_GAIN
        baseline = int(gain_match["baseline"]) if gain_match["baseline"] else None
        units = gain_match["units"] or "mV"
    if baseline is None and len(parts) > 4 and re.fullmatch(r"[-+]?\d+", parts[4]):
        baseline = int(parts[4])  # WFDB: the baseline defaults to the ADC zero
    if not math.isfinite(gain):
        raise ECGReadError(f"The {where} has a gain of {gain:g}, which is impossible.")
    return SignalSpec(
        file_name=signal_file,
        fmt=fmt,
        samples_per_frame=int(fmt_match["spf"] or 1) or 1,
        skew=int(fmt_match["skew"] or 0),
        byte_offset=int(fmt_match["off"] or 0),
        gain=gain,
        baseline=baseline,
        units=units,
        description=parts[8].strip() if len(parts) > 8 else "",
    )


def _parse_start(tokens: list[str]) -> datetime | None:
    """WFDB writes "HH:MM:SS DD/MM/YYYY"; CinC 2017 headers say "YYYY-MM-DD HH:MM:SS"."""
    clock: time | None = None
    day: date | None = None
    for token in tokens:
        try:
            if ":" in token:
                clock = _parse_clock(token)
            elif "/" in token:
                day = datetime.strptime(token, "%d/%m/%Y").date()
            elif "-" in token:
                day = datetime.strptime(token, "%Y-%m-%d").date()
        except ValueError:
            return None
    if clock is None or day is None:
        return None
    return datetime.combine(day, clock)


def _parse_clock(token: str) -> time:
    head, _, frac = token.partition(".")
    numbers = [int(p) for p in head.split(":")]
    if len(numbers) > 3 or any(n < 0 for n in numbers):
        raise ValueError(token)
    numbers = [0] * (3 - len(numbers)) + numbers
    micro = int((frac or "0")[:6].ljust(6, "0")) if frac.isdigit() or not frac else -1
    return time(numbers[0], numbers[1], numbers[2], micro)
