"""Per-lead signal quality: each defect is found, located in time and explained."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from hybridmd.engines.ecg.analysis.filters import (
    bandpass,
    moving_average,
    remove_baseline,
    remove_powerline,
    resample,
)
from hybridmd.engines.ecg.analysis.signal_quality import assess_leads
from hybridmd.engines.shared_data import MISSING_REASON, shared_data_dir

FS = 250


@functools.cache
def clean_ecg(seconds: int = 30, heart_rate: int = 70, fs: int = FS) -> np.ndarray:
    import neurokit2 as nk  # noqa: PLC0415 -- tests only

    signal = nk.ecg_simulate(
        duration=seconds, sampling_rate=fs, heart_rate=heart_rate, method="ecgsyn", random_state=2
    )
    return np.asarray(signal, dtype=np.float64)


def test_clean_lead_is_fully_usable() -> None:
    quality = assess_leads({"II": clean_ecg()}, FS)["II"]
    assert quality.reasons == ()
    assert quality.usable_fraction == 1.0


def test_fast_heart_rate_is_not_mistaken_for_noise() -> None:
    quality = assess_leads({"II": clean_ecg(heart_rate=200)}, FS)["II"]
    assert quality.reasons == ()


def test_flat_line_and_lead_off_segment() -> None:
    lead_off = clean_ecg().copy()
    lead_off[10 * FS : 16 * FS] = 0.0
    result = assess_leads({"I": np.zeros(30 * FS), "II": lead_off}, FS)
    assert result["I"].reasons == ("flat line",)
    assert result["I"].usable_fraction == 0.0
    assert result["II"].reasons == ("flat (lead off) 10.0–16.0 s",)
    assert not result["II"].usable[11 * FS : 15 * FS].any()
    assert result["II"].usable[: 9 * FS].all()
    assert result["II"].usable[17 * FS :].all()


def test_saturation_and_clipping() -> None:
    saturated = clean_ecg().copy()
    saturated[20 * FS : 22 * FS] = saturated.max() + 1.0  # amplifier at its rail
    clipped = np.clip(clean_ecg(), None, 0.5)  # R peaks cut off
    result = assess_leads({"V1": saturated, "V2": clipped}, FS)
    assert result["V1"].reasons[0] == "saturated 20.0–22.0 s"
    assert not result["V1"].usable[20 * FS : 22 * FS].any()
    assert result["V2"].reasons[0].startswith("clipped")
    assert result["V2"].reasons[0].endswith("% of samples")
    assert result["V2"].usable_fraction > 0.9


def test_pure_noise() -> None:
    rng = np.random.default_rng(0)
    result = assess_leads({"V3": rng.normal(0, 0.5, 30 * FS)}, FS)
    assert result["V3"].reasons == ("noise",)
    assert result["V3"].usable_fraction == 0.0


def test_noise_segment_is_located() -> None:
    rng = np.random.default_rng(0)
    lead = clean_ecg().copy()
    lead[12 * FS : 24 * FS] = rng.normal(0, 0.5, 12 * FS)
    quality = assess_leads({"V4": lead}, FS)["V4"]
    assert any(reason.startswith("noise 12.0–24.0 s") for reason in quality.reasons)
    assert quality.usable[: 11 * FS].all()


def test_muscle_noise() -> None:
    fs = 500
    ecg = clean_ecg(20, 70, fs)
    rng = np.random.default_rng(1)
    emg = rng.normal(0, 0.5, ecg.size)
    emg[: 10 * fs] = 0.0
    quality = assess_leads({"V5": np.asarray(ecg) + emg}, fs)["V5"]
    muscle = [r for r in quality.reasons if r.startswith("muscle noise")]
    assert muscle
    assert muscle[0].startswith("muscle noise 10.0–")
    assert quality.usable[: 9 * fs].all()


def test_huge_baseline_wander() -> None:
    t = np.arange(30 * FS) / FS
    drift = np.where(t > 15, 4.0 * np.sin(2 * np.pi * 0.25 * t), 0.0)
    quality = assess_leads({"V6": clean_ecg() + drift}, FS)["V6"]
    assert any(r.startswith("baseline wander") for r in quality.reasons)
    assert quality.usable[: 14 * FS].all()


@pytest.mark.parametrize(
    "values",
    [np.zeros(0), np.zeros(1), np.ones(5), np.array([0.0, np.nan, np.inf, 1.0])],
)
def test_odd_input_does_not_raise(values: np.ndarray) -> None:
    quality = assess_leads({"X": values}, FS)["X"]
    assert quality.usable.size == values.size
    assert quality.reasons


def test_invalid_rate_does_not_raise() -> None:
    quality = assess_leads({"X": clean_ecg()}, 0.0)["X"]
    assert quality.usable_fraction == 0.0


@pytest.mark.skipif(shared_data_dir() is None, reason=MISSING_REASON)
def test_real_holter_records_are_mostly_usable() -> None:
    from bench.ecg.records import load_record  # noqa: PLC0415

    record = load_record("mitdb", "100")
    five_minutes = int(300 * record.fs)
    leads = {name: values[:five_minutes] for name, values in record.leads.items()}
    for quality in assess_leads(leads, record.fs).values():
        assert quality.usable_fraction > 0.97


# The shared filters the quality checks are built on.


def test_powerline_and_baseline_removal_keep_the_qrs() -> None:
    fs = 500
    ecg = clean_ecg(20, 70, fs)
    t = np.arange(ecg.size) / fs
    hum = 0.3 * np.sin(2 * np.pi * 50 * t) + 0.3 * np.sin(2 * np.pi * 60 * t)
    wander = 1.0 * np.sin(2 * np.pi * 0.2 * t)
    cleaned = remove_baseline(remove_powerline(ecg + hum + wander, fs), fs)[fs:-fs]
    truth = ecg[fs:-fs] - np.median(ecg)

    def amplitude_at(signal: np.ndarray, hz: float) -> float:
        spectrum = np.abs(np.fft.rfft(signal)) * 2 / signal.size
        return float(spectrum[round(hz * signal.size / fs)])

    for hz in (50.0, 60.0, 0.2):
        assert amplitude_at(cleaned, hz) < 0.02  # from 0.3 (hum) and 1.0 (wander) mV
    assert abs(cleaned.max() - truth.max()) < 0.1  # the R waves keep their height
    assert np.corrcoef(cleaned, truth)[0, 1] > 0.95


def test_resample_keeps_timing() -> None:
    ecg = clean_ecg(10, 60, 360)
    at_250 = resample(ecg, 360.0, 250.0)
    assert at_250.size == round(ecg.size * 250 / 360)
    assert abs(np.argmax(at_250) / 250 - np.argmax(ecg) / 360) < 0.01


@pytest.mark.parametrize("n", [0, 1, 5, 40])
def test_filters_accept_tiny_input(n: int) -> None:
    x = np.ones(n)
    assert bandpass(x, 250.0, 5.0, 20.0).size == n
    assert remove_powerline(x, 250.0).size == n
    assert remove_baseline(x, 250.0).size == n
    assert moving_average(x, 10).size == n
    assert bandpass(x, 100.0, 0.5, 60.0).size == n  # edge above Nyquist is skipped
