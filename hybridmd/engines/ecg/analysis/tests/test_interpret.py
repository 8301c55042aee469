"""The whole reading: known rates from the simulator, real records, and every kind of
recording that must be answered with "cannot read" and the reason, never a guess."""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

from hybridmd.engines.ecg import ECG
from hybridmd.engines.ecg.analysis.interpret import analyze
from hybridmd.engines.ecg.analysis.statements import codes
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
    assert {b["class"] for b in document["beats"]} <= {"N", "S", "V", "F", "Q", "P"}
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
