"""The whole reading: known rates from the simulator, real records, and every kind of
recording that must be answered with "cannot read" and the reason, never a guess."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hybridmd.engines.ecg import ECG
from hybridmd.engines.ecg.analysis.interpret import analyze
from hybridmd.engines.ecg.analysis.statements import codes
from hybridmd.engines.ecg.analysis.types import BEAT_CLASSES
from hybridmd.engines.ecg.tests.samples import HAVE_DATA, MISSING_REASON, load

needs_data = pytest.mark.skipif(not HAVE_DATA, reason=MISSING_REASON)
REQUIRED_KEYS = {
    "fs",
    "duration_s",
    "heart_rate_bpm",
    "rhythm",
    "r_peaks",
    "beats",
    "intervals_ms",
    "axis_deg",
    "statements",
    "quality",
}


@functools.cache
def simulated(heart_rate: int, seconds: int = 10, fs: int = 500) -> ECG:
    import neurokit2 as nk  # noqa: PLC0415 -- tests only: the simulator is the known truth

    frame = nk.ecg_simulate(
        duration=seconds,
        sampling_rate=fs,
        heart_rate=heart_rate,
        heart_rate_std=0.5,
        method="multileads",
        random_state=heart_rate,
    )
    return ECG(leads={str(c): frame[c].to_numpy() for c in frame.columns}, fs=fs)


@pytest.mark.parametrize(("rate", "rhythm"), [(50, "SBRAD"), (75, "SR"), (125, "STACH")])
def test_simulated_sinus_rates(rate: int, rhythm: str) -> None:
    reading = analyze(simulated(rate))
    assert reading.usable, reading.reasons
    assert reading.rhythm is not None
    assert reading.rhythm.code == rhythm
    assert reading.rhythm.heart_rate_bpm == pytest.approx(rate, abs=3)
    assert len(reading.r_peaks) == pytest.approx(rate * 10 / 60, abs=1.5)
    assert codes(reading.statements)[0] == rhythm


def test_the_json_contract() -> None:
    ecg = simulated(75)
    document = analyze(ecg).as_json()
    assert set(document) >= REQUIRED_KEYS
    json.dumps(document, allow_nan=False)  # plain JSON: no NaN, no numpy types
    assert document["fs"] == 500.0
    assert document["duration_s"] == 10.0
    assert document["rhythm"]["code"] == "SR"
    assert document["rhythm"]["label"] == "Sinus rhythm"
    assert set(document["intervals_ms"]) >= {"pr", "qrs", "qt", "qtc"}
    assert set(document["axis_deg"]) == {"p", "qrs", "t"}
    assert document["quality"] == {"usable": True, "reasons": []}
    assert [b["sample"] for b in document["beats"]] == document["r_peaks"]
    assert {b["class"] for b in document["beats"]} <= set(BEAT_CLASSES)
    for statement in document["statements"]:
        assert set(statement) == {"code", "label_ko", "label_en", "severity", "evidence"}
        assert statement["label_ko"]
    assert all(0 <= peak < ecg.n_samples for peak in document["r_peaks"])


def _cannot_read(ecg: ECG) -> str:
    reading = analyze(ecg)
    assert not reading.usable
    assert reading.rhythm is None
    assert reading.statements == []
    document = reading.as_json()
    json.dumps(document, allow_nan=False)
    assert document["quality"]["usable"] is False
    assert document["rhythm"]["code"] is None
    assert document["statements"] == []
    return " ".join(reading.reasons).lower()


def test_flat_lines_cannot_be_read() -> None:
    flat = ECG(leads={name: np.zeros(5000) for name in ("I", "II", "V1")}, fs=500)
    assert "flat" in _cannot_read(flat)


def test_a_single_lead_of_pure_noise_cannot_be_read() -> None:
    noise = np.random.default_rng(7).normal(0, 0.3, 2500)
    reasons = _cannot_read(ECG(leads={"II": noise}, fs=250))
    assert "noise" in reasons or "no reliable heartbeat" in reasons


def test_two_seconds_are_too_short() -> None:
    short = ECG(leads={n: a[:1000] for n, a in simulated(75).leads.items()}, fs=500)
    assert "too short" in _cannot_read(short)


def test_fifty_hertz_is_too_coarse() -> None:
    coarse = ECG(leads={n: a[::10] for n, a in simulated(75).leads.items()}, fs=50)
    assert "sampling rate (50 hz) is too low" in _cannot_read(coarse)


def test_a_saturated_recording_cannot_be_read() -> None:
    # The amplifier rails at +-0.2 mV: every QRS is cut to a flat plateau.
    clipped = ECG(leads={n: np.clip(a, -0.2, 0.2) for n, a in simulated(75).leads.items()}, fs=500)
    assert "clip" in _cannot_read(clipped)


@needs_data
def test_swapped_arm_electrodes_are_suspected_not_read() -> None:
    """Left/right arm reversal: I inverts, II and III swap, aVR and aVL swap."""
    ecg = load("ludb_12lead_delineation/2")
    leads = dict(ecg.leads)
    leads["I"] = -ecg.leads["I"]
    leads["II"], leads["III"] = ecg.leads["III"], ecg.leads["II"]
    leads["aVR"], leads["aVL"] = ecg.leads["aVL"], ecg.leads["aVR"]
    assert analyze(ecg).usable
    assert "reversal" in _cannot_read(ECG(leads=leads, fs=ecg.fs))


@needs_data
def test_a_real_sinus_bradycardia() -> None:
    reading = analyze(load("ludb_12lead_delineation/1"))  # cardiologist: sinus bradycardia
    assert reading.usable
    assert reading.rhythm is not None
    assert reading.rhythm.code == "SBRAD"
    assert reading.measurements is not None
    assert reading.measurements.pr_ms == pytest.approx(150, abs=25)


@needs_data
def test_real_atrial_fibrillation() -> None:
    reading = analyze(load("ludb_12lead_delineation/88"))  # cardiologist: AF
    assert reading.rhythm is not None
    assert reading.rhythm.code == "AFIB"
    assert "NORM" not in codes(reading.statements)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fs=st.sampled_from([50.0, 100.0, 128.0, 250.0, 360.0, 500.0, 1000.0]),
    seconds=st.floats(min_value=0.1, max_value=12.0),
    lead_count=st.integers(min_value=1, max_value=3),
    kind=st.sampled_from(["noise", "steps", "spikes", "sine", "constant"]),
    scale=st.floats(min_value=1e-4, max_value=20.0),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_any_recording_gets_a_reading_or_a_reason(
    *, fs: float, seconds: float, lead_count: int, kind: str, scale: float, seed: int
) -> None:
    """Whatever the samples, ``analyze`` answers: never an exception, never an invented
    rhythm without beats, and always plain JSON."""
    rng = np.random.default_rng(seed)
    n = max(1, round(fs * seconds))
    t = np.arange(n) / fs
    shapes = {
        "noise": lambda: rng.normal(0, 1, n),
        "steps": lambda: np.repeat(rng.normal(0, 1, n // 50 + 1), 50)[:n],
        "spikes": lambda: (rng.random(n) > 0.995) * rng.normal(0, 3, n),
        "sine": lambda: np.sin(2 * np.pi * rng.uniform(0.1, 40) * t),
        "constant": lambda: np.full(n, rng.normal()),
    }
    # Within the model's +-50 mV: beyond it the file is refused before any analysis.
    leads = {
        name: np.clip(scale * shapes[kind](), -40, 40) for name in ("I", "II", "V1")[:lead_count]
    }
    reading = analyze(ECG(leads=leads, fs=fs))
    document = reading.as_json()
    json.dumps(document, allow_nan=False)
    assert document["quality"]["usable"] is reading.usable
    if reading.usable:
        assert reading.rhythm is not None
        assert len(reading.r_peaks) >= 4
    else:
        assert reading.reasons
        assert document["statements"] == []


@needs_data
@pytest.mark.parametrize("record", ["cinc2021_12lead/HR06001", "cinc2021_12lead/E07500"])
def test_a_100_hz_copy_measures_like_the_500_hz_original(record: str) -> None:
    """PTB-XL ships every ECG at 100 Hz too: its QRS must not widen by whole samples."""
    from scipy.signal import resample_poly  # noqa: PLC0415

    original = load(record)
    coarse = ECG(leads={n: resample_poly(a, 1, 5) for n, a in original.leads.items()}, fs=100)
    fine, rough = analyze(original).measurements, analyze(coarse).measurements
    assert fine is not None
    assert rough is not None
    assert fine.qrs_ms is not None
    assert rough.qrs_ms == pytest.approx(fine.qrs_ms, abs=10)
    assert rough.qrs_axis_deg == pytest.approx(fine.qrs_axis_deg, abs=10)


@needs_data
def test_normalised_amplitudes_withhold_the_voltage_statements() -> None:
    """This LUDB copy scales every lead to a 1 mV span: LVH cannot be judged from it."""
    reading = analyze(load("ludb_12lead_delineation/1"))
    assert reading.usable
    assert any("normalised" in reason for reason in reading.reasons)
    assert not {"LVH", "LVOLT", "STD_"} & set(codes(reading.statements))


def test_one_clipped_lead_is_left_out_and_named() -> None:
    ecg = simulated(75)
    leads = dict(ecg.leads)
    leads["V1"] = np.clip(leads["V1"], -0.2, 0.2)
    reading = analyze(ECG(leads=leads, fs=ecg.fs))
    assert reading.usable
    assert "V1" not in reading.leads_used
    assert any(reason.startswith("V1 left out: ") for reason in reading.reasons)
    assert reading.rhythm is not None
    assert reading.rhythm.code == "SR"


@needs_data
def test_a_wide_regular_rhythm_without_p_waves_is_not_called_sinus() -> None:
    """LUDB 8: AF with ventricular pacing whose spikes the recording does not show."""
    reading = analyze(load("ludb_12lead_delineation/8"))
    assert reading.usable
    assert reading.rhythm is not None
    assert reading.rhythm.code == ""
    assert {e.code for e in reading.rhythm.episodes} <= {"", "AFIB", "AFLT", "SVTAC", "PACE"}
    assert not {"SR", "SBRAD", "STACH", "SARRH", "NORM"} & set(codes(reading.statements))
    assert any("neither sinus" in reason for reason in reading.reasons)
