"""What the interpretation stages hand each other: plain dataclasses, no behaviour.

Sample indices are always on the recording's own sampling rate. Times are milliseconds,
amplitudes millivolts, angles degrees. ``None`` means "not measurable", never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Beat classes (AAMI EC57 groups): normal, supraventricular ectopic, ventricular ectopic,
# fusion, unclassifiable. ``P`` marks a paced beat.
BEAT_CLASSES = ("N", "S", "V", "F", "Q", "P")


@dataclass(frozen=True)
class LeadQuality:
    """Per lead: which samples can be trusted, and why the rest cannot."""

    usable: BoolArray  # one flag per sample
    reasons: tuple[str, ...]  # e.g. "flat line", "clipped", "lead off 12.0-15.5 s", "noise"
    clipped_fraction: float = 0.0  # share of samples at the amplifier's rails

    @property
    def usable_fraction(self) -> float:
        return float(np.mean(self.usable)) if self.usable.size else 0.0


@dataclass(frozen=True)
class BeatDetection:
    r_peaks: IntArray  # sorted, unique, one per QRS complex
    pacing_spikes: IntArray  # sorted sample indices of pacemaker spikes (empty if none)
    lead_quality: dict[str, LeadQuality]


@dataclass(frozen=True)
class BeatFiducials:
    """Per beat, global across leads (earliest onset / latest offset), -1 where absent."""

    p_on: IntArray
    p_peak: IntArray
    p_off: IntArray
    qrs_on: IntArray
    qrs_off: IntArray
    t_peak: IntArray
    t_off: IntArray


@dataclass(frozen=True)
class LeadMeasurements:
    """From the lead's median beat; amplitudes relative to the PR-segment baseline."""

    p_amp_mv: float | None
    q_amp_mv: float  # most negative deflection before R (<= 0), 0 when no Q
    q_duration_ms: float
    r_amp_mv: float  # largest positive deflection of the QRS (>= 0)
    s_amp_mv: float  # most negative deflection after R (<= 0), 0 when no S
    r_prime_amp_mv: float  # second positive deflection after S (RSR'), 0 when none
    qrs_peak_to_peak_mv: float
    qrs_area_mv_ms: float  # net signed area of the QRS
    t_amp_mv: float | None
    st_j_mv: float | None  # at the J point
    st_j60_mv: float | None  # at J + 60 ms
    r_peak_time_ms: float | None  # QRS onset to R peak (intrinsicoid deflection)


@dataclass(frozen=True)
class Measurements:
    """Global intervals from the median beats, axes from the limb leads."""

    rr_ms: float | None
    pr_ms: float | None
    qrs_ms: float | None
    qt_ms: float | None
    qtc_bazett_ms: float | None
    qtc_fridericia_ms: float | None
    p_axis_deg: float | None
    qrs_axis_deg: float | None
    t_axis_deg: float | None
    leads: dict[str, LeadMeasurements]


@dataclass(frozen=True)
class Delineation:
    fiducials: BeatFiducials  # one entry per r_peak, same order
    p_wave_present: BoolArray  # per beat: a P wave precedes this QRS
    median_beats: dict[str, FloatArray]  # per lead, baseline-corrected mV
    median_r_index: int  # index of the R peak inside every median beat
    measurements: Measurements


@dataclass(frozen=True)
class Episode:
    code: str  # rhythm code, e.g. "AFIB"
    start: int  # sample index
    end: int  # sample index (exclusive)


@dataclass(frozen=True)
class Pause:
    start: int  # R peak before the pause
    end: int  # R peak after
    duration_ms: float


@dataclass(frozen=True)
class HeartRateVariability:
    sdnn_ms: float | None
    rmssd_ms: float | None
    pnn50_pct: float | None


@dataclass(frozen=True)
class Rhythm:
    """The dominant rhythm of the record, its episodes and the counts around it."""

    code: str  # SR, SBRAD, STACH, SARRH, AFIB, AFLT, SVTAC, PACE, or "" when undetermined
    heart_rate_bpm: float | None
    episodes: list[Episode]
    pauses: list[Pause]
    hrv: HeartRateVariability
    pvc_count: int
    pac_count: int
    pvc_burden_pct: float
    pac_burden_pct: float
    evidence: dict[str, float | str] = field(default_factory=dict)
