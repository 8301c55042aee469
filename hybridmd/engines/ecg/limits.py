"""Hard limits for one uploaded recording, checked against what a file *claims* before reading."""

from __future__ import annotations

import math

from hybridmd.engines.ecg.errors import ECGReadError

FS_MIN_HZ = 50.0
FS_MAX_HZ = 20_000.0
MAX_DURATION_S = 24 * 3600.0
MAX_TOTAL_SAMPLES = 50_000_000
MAX_ABS_MV = 50.0


def format_duration(seconds: float) -> str:
    """10.0 -> "0:10", 1805.6 -> "30:05", 90000 -> "25:00:00"."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_hz(fs: float) -> str:
    return f"{fs:g} Hz"


def check_fs(fs: float, *, source: str) -> None:
    if not math.isfinite(fs) or fs <= 0:
        raise ECGReadError(f"{source} gives a sampling rate of {fs:g} Hz, which is impossible.")
    if not FS_MIN_HZ <= fs <= FS_MAX_HZ:
        raise ECGReadError(
            f"{source} gives a sampling rate of {fs:g} Hz; ECG recordings are sampled between "
            f"{FS_MIN_HZ:g} and {FS_MAX_HZ:g} Hz, so the rate is probably wrong."
        )


def check_claims(n_samples: int, n_leads: int, fs: float, *, source: str) -> None:
    """Refuse a recording by its declared size, before any sample array is allocated."""
    check_fs(fs, source=source)
    if n_samples < 0 or n_leads < 0:
        raise ECGReadError(f"{source} declares a negative number of samples or signals.")
    duration = n_samples / fs
    if duration > MAX_DURATION_S:
        raise ECGReadError(
            f"{source} describes a recording of {format_duration(duration)} (h:mm:ss); "
            f"the limit is 24 hours per upload."
        )
    total = n_samples * n_leads
    if total > MAX_TOTAL_SAMPLES:
        raise ECGReadError(
            f"{source} describes {total:,} samples ({n_leads} signals × {n_samples:,}); "
            f"the limit is {MAX_TOTAL_SAMPLES:,} samples per upload."
        )


def too_many_samples(total: int, *, source: str) -> ECGReadError:
    return ECGReadError(
        f"{source} holds at least {total:,} samples; the limit is {MAX_TOTAL_SAMPLES:,} "
        f"samples per upload."
    )
