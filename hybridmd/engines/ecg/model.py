"""One ECG recording in memory: leads in millivolts at one sampling rate."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.leads import normalise_lead_name
from hybridmd.engines.ecg.limits import MAX_ABS_MV, check_claims

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ECG:
    """Leads are float64 millivolts, all the same length, stored read-only.

    ``source_meta`` holds what the file said about itself (format, device, original lead
    labels, units, header comments, and for DICOM/aECG the patient fields); the
    de-identifier keeps only the non-identifying keys.
    """

    leads: dict[str, FloatArray]
    fs: float
    start: datetime | None = None
    source_meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.leads, Mapping) or not self.leads:
            raise ECGReadError("The recording holds no ECG leads.")
        try:
            fs = float(self.fs)
        except (TypeError, ValueError):
            raise ECGReadError("The sampling rate is not a number.") from None
        leads: dict[str, FloatArray] = {}
        for name, values in self.leads.items():
            if not isinstance(name, str) or not name.strip():
                raise ECGReadError("A lead has no name.")
            try:
                arr = np.array(values, dtype=np.float64)
            except (TypeError, ValueError):
                raise ECGReadError(f"Lead {name} does not hold numbers.") from None
            if arr.ndim != 1:
                raise ECGReadError(f"Lead {name} is not a single series of samples.")
            arr.setflags(write=False)
            leads[name] = arr
        lengths = {len(a) for a in leads.values()}
        if len(lengths) > 1:
            detail = ", ".join(f"{n} {len(a):,}" for n, a in leads.items())
            raise ECGReadError(f"The leads have different numbers of samples ({detail}).")
        n_samples = lengths.pop()
        if n_samples == 0:
            raise ECGReadError("The recording holds no samples.")
        check_claims(n_samples, len(leads), fs, source="The recording")
        for name, arr in leads.items():
            bad = int(np.count_nonzero(~np.isfinite(arr)))
            if bad:
                raise ECGReadError(
                    f"Lead {name} has {bad:,} missing or invalid samples (gaps, not-a-number "
                    f"or infinite values); a recording with gaps cannot be shown reliably."
                )
        for name, arr in leads.items():
            peak = float(np.max(np.abs(arr)))
            if peak > MAX_ABS_MV:
                raise ECGReadError(
                    f"Lead {name} reaches {peak:,.0f} mV, but ECG signals are a few millivolts, "
                    f"so the file's units are probably wrong (microvolts labelled as millivolts?)."
                )
        meta = {str(k): str(v) for k, v in dict(self.source_meta).items()}
        object.__setattr__(self, "leads", leads)
        object.__setattr__(self, "fs", fs)
        object.__setattr__(self, "source_meta", meta)

    @property
    def n_samples(self) -> int:
        return len(next(iter(self.leads.values())))

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.fs

    @property
    def lead_names(self) -> tuple[str, ...]:
        return tuple(self.leads)


def build_ecg(
    channels: Sequence[tuple[str, FloatArray]],
    fs: float,
    *,
    start: datetime | None,
    meta: dict[str, str],
) -> ECG:
    """Name leads canonically, drop leads with no valid sample at all, and validate.

    ``channels`` are (label as the file gave it, samples in mV) with invalid samples as NaN.
    A lead that is entirely missing is dropped and listed in ``dropped_leads``; scattered
    gaps are left for ``ECG`` to refuse.
    """
    meta = dict(meta)
    meta.setdefault("lead_labels", json.dumps([label for label, _ in channels], ensure_ascii=False))
    leads: dict[str, FloatArray] = {}
    dropped: list[str] = []
    for index, (label, values) in enumerate(channels, start=1):
        name = normalise_lead_name(label) or f"Signal {index}"
        if len(values) and not np.any(np.isfinite(values)):
            dropped.append(name)
            continue
        unique, n = name, 2
        while unique in leads:
            unique, n = f"{name} ({n})", n + 1
        leads[unique] = values
    if dropped:
        meta["dropped_leads"] = json.dumps(dropped, ensure_ascii=False)
        if not leads:
            raise ECGReadError(
                f"Every lead in the recording is empty (no valid samples in {', '.join(dropped)})."
            )
    return ECG(leads=leads, fs=fs, start=start, source_meta=meta)
