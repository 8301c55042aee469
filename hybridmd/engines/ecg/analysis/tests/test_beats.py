"""QRS detection: synthetic signals with known beats, real annotated records, odd input."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from hybridmd.engines.ecg.analysis.beats import detect_beats
from hybridmd.engines.ecg.analysis.types import BeatDetection
from hybridmd.engines.shared_data import MISSING_REASON, shared_data_dir

TOLERANCE_S = 0.05


@functools.cache
def simulated(seconds: int, fs: int, heart_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(signal in mV, true R peaks) from NeuroKit2's ECGSYN; the truth is NeuroKit2's own
    detector run on the clean signal, which is exact on noise-free ECGSYN output."""
    import neurokit2 as nk  # noqa: PLC0415 -- tests only

    ecg = nk.ecg_simulate(
        duration=seconds, sampling_rate=fs, heart_rate=heart_rate, method="ecgsyn", random_state=7
    )
    _, info = nk.ecg_peaks(ecg, sampling_rate=fs)
    truth = np.asarray(info["ECG_R_Peaks"], dtype=np.int64)
    return np.asarray(ecg, dtype=np.float64), truth


def assert_matches(detected: np.ndarray, truth: np.ndarray, fs: float) -> None:
    """Every true beat found within 50 ms and nothing else (edges of 0.5 s excluded)."""
    margin = int(0.5 * fs)
    n_end = int(truth.max()) + margin
    inner_truth = truth[(truth > margin) & (truth < n_end - 2 * margin)]
    inner = detected[(detected > margin) & (detected < n_end - 2 * margin)]
    gaps = np.abs(inner_truth[:, None] - detected[None, :]).min(axis=1) if detected.size else None
    assert gaps is not None, "no beats detected"
    assert np.all(gaps <= TOLERANCE_S * fs), f"missed beats at {inner_truth[gaps > 0.05 * fs]}"
    assert inner.size == inner_truth.size, f"{inner.size} beats detected, {inner_truth.size} true"


@pytest.mark.parametrize("heart_rate", [60, 120, 180])
def test_clean_two_leads_at_known_heart_rates(heart_rate: int) -> None:
    ecg, truth = simulated(20, 250, heart_rate)
    result = detect_beats({"I": ecg, "II": -0.6 * ecg}, 250.0)
    assert_matches(result.r_peaks, truth, 250.0)
    assert result.pacing_spikes.size == 0


@pytest.mark.parametrize("fs", [100, 128, 360, 1000])
def test_sampling_rates_return_indices_on_the_original_rate(fs: int) -> None:
    ecg, truth = simulated(15, fs, 75)
    result = detect_beats({"ECG": ecg}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))


def test_wander_powerline_and_noise() -> None:
    fs = 500
    ecg, truth = simulated(20, fs, 90)
    t = np.arange(ecg.size) / fs
    rng = np.random.default_rng(3)
    dirty = (
        ecg
        + 1.5 * np.sin(2 * np.pi * 0.3 * t)
        + 0.3 * np.sin(2 * np.pi * 50 * t)
        + 0.2 * np.sin(2 * np.pi * 60 * t)
        + rng.normal(0, 0.05, ecg.size)
    )
    result = detect_beats({"II": dirty}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))


def test_lead_off_segment_in_one_of_two_leads() -> None:
    fs = 250
    ecg, truth = simulated(20, fs, 70)
    second = 0.8 * ecg.copy()
    second[5 * fs : 11 * fs] = 0.0
    result = detect_beats({"MLII": ecg, "V5": second}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))
    reasons = " ".join(result.lead_quality["V5"].reasons)
    assert "flat (lead off)" in reasons
    assert result.lead_quality["MLII"].reasons == ()


def test_lead_off_in_the_only_lead_gives_no_beats_there() -> None:
    fs = 250
    ecg, truth = simulated(20, fs, 70)
    lead = ecg.copy()
    lead[6 * fs : 14 * fs] = 0.0
    result = detect_beats({"II": lead}, float(fs))
    inside = (result.r_peaks > 6 * fs) & (result.r_peaks < 14 * fs)
    assert not inside.any()
    outside = truth[(truth < 6 * fs - fs // 2) | (truth > 14 * fs + fs // 2)]
    assert np.abs(outside[:, None] - result.r_peaks[None, :]).min(axis=1).max() < 0.05 * fs


@pytest.mark.parametrize("fs", [500, 1000])
def test_pacing_spikes_are_reported_and_not_counted(fs: int) -> None:
    ecg, truth = simulated(20, fs, 70)
    paced = ecg.copy()
    spike_positions = truth - int(0.04 * fs)  # ventricular pacing: spike just before QRS
    spike_positions = spike_positions[spike_positions > 0]
    width = max(1, int(0.001 * fs))
    for position in spike_positions:
        paced[position : position + width] += 4.0
        paced[position + width : position + 2 * width] -= 1.0
    result = detect_beats({"II": paced, "V1": 0.5 * paced}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))
    gaps = np.abs(spike_positions[:, None] - result.pacing_spikes[None, :]).min(axis=1)
    assert np.all(gaps <= 0.005 * fs)
    assert result.pacing_spikes.size == spike_positions.size


def test_a_lone_spike_is_an_artefact_not_pacing() -> None:
    fs = 500
    ecg, truth = simulated(20, fs, 70)
    glitch = ecg.copy()
    middle = int((truth[8] + truth[9]) // 2)
    glitch[middle] += 5.0
    result = detect_beats({"II": glitch}, float(fs))
    assert result.pacing_spikes.size == 0
    assert_matches(result.r_peaks, truth, float(fs))


def test_twelve_leads_with_one_lead_pure_noise() -> None:
    fs = 500
    ecg, truth = simulated(10, fs, 85)
    rng = np.random.default_rng(11)
    names = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
    leads = {name: ecg * (0.3 + 0.15 * k) * (-1) ** k for k, name in enumerate(names)}
    leads["V2"] = rng.normal(0, 0.8, ecg.size)
    result = detect_beats(leads, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))
    assert "noise" in " ".join(result.lead_quality["V2"].reasons)


def test_bigeminy_with_large_ectopic_beats_keeps_the_small_beats() -> None:
    fs = 250
    ecg, truth = simulated(40, fs, 70)
    bigeminy = ecg.copy()
    for position in truth[::2]:  # every other complex four times larger
        bigeminy[max(0, position - fs // 10) : position + fs // 10] *= 4.0
    result = detect_beats({"V1": bigeminy}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))


def test_tall_t_waves_are_not_counted() -> None:
    fs = 360
    ecg, truth = simulated(30, fs, 60)
    tall = ecg.copy()
    for position in truth:  # T waves three times taller, as in hyperkalaemia
        tall[position + int(0.12 * fs) : position + int(0.6 * fs)] *= 3.0
    result = detect_beats({"V2": tall}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))


def test_muscle_bursts_splitting_regular_beats_are_not_counted() -> None:
    fs = 250
    ecg, truth = simulated(30, fs, 70)
    rng = np.random.default_rng(4)
    noisy = -0.6 * ecg
    n = int(0.12 * fs)
    for k in (8, 15, 22):  # a short burst in one lead, halfway between two beats
        start = int((truth[k] + truth[k + 1]) // 2) - n // 2
        noisy[start : start + n] += rng.normal(0, 1.0, n) * np.hanning(n)
    result = detect_beats({"II": ecg, "V1": noisy}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))


def test_recurring_interpolated_ectopic_beats_are_kept() -> None:
    fs = 250
    ecg, truth = simulated(30, fs, 60)
    ectopic = ecg.copy()
    half = int(0.1 * fs)
    shape = (
        -1.5
        * np.interp(  # a wide inverted complex, the same each time
            np.linspace(0, 2 * half, 3 * half),
            np.arange(2 * half),
            ecg[truth[3] - half : truth[3] + half],
        )
    )
    inserted = []
    for k in (6, 12, 18, 24):  # interpolated: halfway, no pause after it
        start = int((truth[k] + truth[k + 1]) // 2) - shape.size // 2
        ectopic[start : start + shape.size] += shape - shape[0]
        inserted.append(start + int(np.argmax(np.abs(shape))))
    result = detect_beats({"II": ectopic, "V1": 0.5 * ectopic}, float(fs))
    found = np.abs(np.asarray(inserted)[:, None] - result.r_peaks[None, :]).min(axis=1)
    assert np.all(found <= 0.05 * fs)


def test_beats_stay_on_the_qrs_while_the_reference_lead_recovers_from_a_step() -> None:
    fs = 360
    ecg, truth = simulated(20, fs, 70)
    recovering = ecg.copy()
    start, stop = 8 * fs, 11 * fs  # a 3 mV step decaying with no QRS (amplifier recovery)
    recovering[start:stop] = 3.0 * np.exp(-np.arange(stop - start) / fs)
    noisy = -0.7 * ecg + np.random.default_rng(2).normal(0, 0.04, ecg.size)
    r_peaks = detect_beats({"II": recovering, "V1": noisy}, float(fs)).r_peaks
    inside = truth[(truth > start) & (truth < stop)]
    assert np.abs(inside[:, None] - r_peaks[None, :]).min(axis=1).max() <= 0.02 * fs


def test_pause_of_several_seconds_gives_no_beats_inside() -> None:
    fs = 250
    ecg, truth = simulated(20, fs, 60)
    rng = np.random.default_rng(5)
    pause = rng.normal(0, 0.01, 4 * fs) + float(np.median(ecg))
    signal = np.concatenate([ecg[: 10 * fs], pause, ecg[10 * fs :]])
    result = detect_beats({"II": signal}, float(fs))
    in_pause = (result.r_peaks > 10 * fs + fs // 4) & (result.r_peaks < 14 * fs - fs // 4)
    assert not in_pause.any()
    assert result.r_peaks.size >= truth.size - 2


def test_amplitude_change_keeps_every_beat() -> None:
    fs = 360
    ecg, truth = simulated(20, fs, 80)
    gain = np.where(np.arange(ecg.size) < 10 * fs, 1.0, 0.25)
    result = detect_beats({"MLII": ecg * gain}, float(fs))
    assert_matches(result.r_peaks, truth, float(fs))


# Odd input: never raise, give no beats and say why.


def _empty_or_explained(result: BeatDetection) -> None:
    assert result.r_peaks.size <= 2
    assert all(q.reasons for q in result.lead_quality.values())


def test_flat_lines_give_no_beats() -> None:
    result = detect_beats({"I": np.zeros(5000), "II": np.full(5000, 0.3)}, 500.0)
    _empty_or_explained(result)
    assert result.lead_quality["I"].reasons == ("flat line",)


def test_pure_noise_gives_no_beats() -> None:
    rng = np.random.default_rng(1)
    result = detect_beats({"I": rng.normal(0, 0.3, 10_000)}, 500.0)
    _empty_or_explained(result)
    assert "noise" in result.lead_quality["I"].reasons[0]


def test_one_second_and_empty_and_odd_rates_do_not_raise() -> None:
    ecg, _ = simulated(15, 250, 75)
    assert detect_beats({"II": ecg[:250]}, 250.0).r_peaks.size <= 2
    assert detect_beats({"II": np.zeros(0)}, 250.0).r_peaks.size == 0
    assert detect_beats({}, 250.0).r_peaks.size == 0
    assert detect_beats({"II": ecg}, 0.0).r_peaks.size == 0
    assert detect_beats({"II": ecg}, float("nan")).r_peaks.size == 0
    assert detect_beats({"II": ecg[:3]}, 250.0).r_peaks.size == 0
    with_nan = ecg.copy()
    with_nan[100:200] = np.nan
    assert detect_beats({"II": with_nan, "I": ecg[:-10]}, 250.0).r_peaks.size > 5


def test_clipped_signal_still_gives_beats_and_says_clipped() -> None:
    ecg, truth = simulated(20, 250, 75)
    clipped = np.clip(ecg, -0.2, 0.6)
    result = detect_beats({"II": clipped}, 250.0)
    assert_matches(result.r_peaks, truth, 250.0)
    assert any("clipped" in r for r in result.lead_quality["II"].reasons)


# Real records with reference annotations.

needs_data = pytest.mark.skipif(shared_data_dir() is None, reason=MISSING_REASON)


def _score(database: str, name: str, extension: str, seconds: float | None) -> tuple[float, float]:
    from bench.ecg.ec57 import match_beats  # noqa: PLC0415
    from bench.ecg.records import load_annotations, load_record  # noqa: PLC0415

    record = load_record(database, name)
    n = int(seconds * record.fs) if seconds else None
    leads = {lead: values[:n] for lead, values in record.leads.items()}
    reference, _ = load_annotations(database, name, extension).beats()
    detected = detect_beats(leads, record.fs).r_peaks
    if n is not None:
        reference = reference[reference < n]
    if database == "ludb":  # only the middle of LUDB records is annotated
        margin = 0.15 * record.fs
        detected = detected[
            (detected >= reference.min() - margin) & (detected <= reference.max() + margin)
        ]
    match = match_beats(reference, detected, record.fs)
    return match.sensitivity, match.positive_predictivity


@needs_data
@pytest.mark.parametrize(
    ("record", "min_se", "min_ppv"),
    [
        (("mitdb", "100", "atr", 300), 0.999, 0.999),
        (("mitdb", "208", "atr", 300), 0.99, 0.995),  # PVCs, fusion beats, noise
        (("svdb", "800", "atr", 300), 0.995, 0.995),  # 128 Hz
        (("cpsc2021", "data_84_2", "atr", None), 0.995, 0.995),  # AF
        (("cpsc2021", "data_84_1", "atr", None), 0.99, 0.985),  # AF with heavy motion noise
        (("ludb", "8", "ii", None), 0.999, 0.999),  # 12 leads, AF
    ],
)
def test_real_records(
    record: tuple[str, str, str, float | None], min_se: float, min_ppv: float
) -> None:
    sensitivity, predictivity = _score(*record)
    assert sensitivity >= min_se
    assert predictivity >= min_ppv
