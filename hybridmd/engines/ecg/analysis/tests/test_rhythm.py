"""Rhythm analysis: rate codes, AF, episodes, pauses, HRV and ectopy counts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import signal as signal_module

from hybridmd.engines.ecg.analysis.af_features import clustered_fraction, irregularity
from hybridmd.engines.ecg.analysis.rhythm import analyze_rhythm
from hybridmd.engines.ecg.analysis.rhythm_episodes import af_per_interval
from hybridmd.engines.shared_data import MISSING_REASON, shared_data_dir

FS = 250.0
HAVE_DATA = shared_data_dir() is not None


def _qrs_train(rr_s: np.ndarray, fs: float = FS, *, p_waves, seed: int = 0) -> tuple:
    """A lead of QRS spikes and T waves at the given RR intervals; ``p_waves`` (one flag,
    or one per beat) puts a P wave 160 ms before the QRS, else fibrillatory waves."""
    rng = np.random.default_rng(seed)
    peaks = np.round((1.0 + np.concatenate(([0.0], np.cumsum(rr_s)))) * fs).astype(np.int64)
    with_p = np.broadcast_to(np.asarray(p_waves, dtype=bool), peaks.shape)
    n = int(peaks[-1] + fs)
    t = np.arange(n) / fs
    signal = 0.02 * rng.standard_normal(n)
    # Fibrillatory waves: noise band-limited to 4-9 Hz, unrelated to the QRS.
    sos = signal_module.butter(2, [4.0, 9.0], btype="bandpass", fs=fs, output="sos")
    fibrillation = signal_module.sosfiltfilt(sos, rng.standard_normal(n))
    fibrillation *= 0.05 / np.std(fibrillation)
    for index, peak in enumerate(peaks):
        centre = peak / fs
        signal += 1.2 * np.exp(-(((t - centre) / 0.012) ** 2))
        signal += 0.3 * np.exp(-(((t - centre - 0.25) / 0.05) ** 2))
        if with_p[index]:
            signal += 0.15 * np.exp(-(((t - centre + 0.16) / 0.025) ** 2))
        else:  # fibrillatory waves until the next beat
            stop = peaks[index + 1] if index + 1 < len(peaks) else n
            signal[peak:stop] += fibrillation[peak:stop]
    return {"II": signal}, peaks


def _irregular_rr(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.4, 1.1, n)


def _sinus_rr(n: int, rr: float = 0.85, seed: int = 2) -> np.ndarray:
    return rr + 0.01 * np.random.default_rng(seed).standard_normal(n)


@pytest.fixture(scope="module")
def simulated() -> dict[int, tuple]:
    import neurokit2 as nk  # noqa: PLC0415 -- tests only

    out = {}
    for rate in (50, 75, 130):
        ecg = nk.ecg_simulate(
            duration=30, sampling_rate=int(FS), heart_rate=rate, method="simple", random_state=3
        )
        _, info = nk.ecg_peaks(ecg, sampling_rate=int(FS))
        out[rate] = ({"II": np.asarray(ecg, dtype=np.float64)}, np.asarray(info["ECG_R_Peaks"]))
    return out


@pytest.mark.parametrize(("rate", "code"), [(50, "SBRAD"), (75, "SR"), (130, "STACH")])
def test_simulated_sinus_rates(simulated: dict[int, tuple], rate: int, code: str) -> None:
    leads, peaks = simulated[rate]
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert rhythm.code == code
    assert rhythm.heart_rate_bpm == pytest.approx(rate, abs=3)
    assert [e.code for e in rhythm.episodes] == [code]


def test_irregular_rr_without_p_waves_is_af() -> None:
    leads, peaks = _qrs_train(_irregular_rr(60), p_waves=False)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert rhythm.code == "AFIB"
    assert rhythm.hrv.sdnn_ms is None  # HRV is not reported in AF
    assert float(rhythm.evidence["rr_median_step_ratio"]) > 0.1


def test_regular_rr_with_p_waves_is_sinus_with_hrv() -> None:
    rr = _sinus_rr(40)
    leads, peaks = _qrs_train(rr, p_waves=True)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert rhythm.code == "SR"
    assert float(rhythm.evidence["p_wave_fraction"]) > 0.8
    assert rhythm.hrv.sdnn_ms == pytest.approx(1000 * np.std(np.diff(peaks) / FS, ddof=1))
    assert rhythm.hrv.rmssd_ms is not None
    assert rhythm.hrv.pnn50_pct == 0.0


def test_repeating_p_wave_missed_by_the_delineation_vetoes_af() -> None:
    """Irregular RR with the same P wave before five beats in six: the delineation's "no P
    wave" (small P waves under its amplitude floor) does not outvote the repeating wave."""
    rr = np.random.default_rng(5).uniform(0.75, 1.2, 40)
    leads, peaks = _qrs_train(rr, p_waves=np.arange(rr.size + 1) % 6 != 5)
    missed = np.zeros(len(peaks), dtype=bool)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks), p_wave_present=missed)
    assert float(rhythm.evidence["p_wave_fraction_delineation"]) == 0.0
    assert float(rhythm.evidence["p_wave_fraction_repeating"]) >= 0.7
    assert float(rhythm.evidence["p_wave_fraction"]) >= 0.7
    assert rhythm.code != "AFIB"


def test_lower_irregularity_bar_reads_only_normal_to_normal_intervals() -> None:
    """Sinus rhythm with a PVC and three PACs and no P wave seen (the RR of CinC 2017's
    A00176, an "other rhythm"): the steps around the PACs alone pass the lower bar."""
    rr_ms = [923, 923, 603, 320, 963, 980, 1020, 873, 1000, 967, 967, 940, 990, 773, 1110]
    rr_ms += [1007, 990, 820, 1080, 993, 980, 977, 967, 940, 970, 957, 947, 943, 930, 910, 970]
    classes = np.array(list("NNNVSNNNNNNNNNSNNNSNNNNNNNNNNNNN"))
    rr = np.array(rr_ms) / 1000.0
    rhythm_beat = np.isin(classes, ["N", "S"])
    valid = rhythm_beat[:-1] & rhythm_beat[1:]
    normal = (classes[:-1] == "N") & (classes[1:] == "N")
    assert np.any(af_per_interval(rr, valid, relaxed=valid))
    assert not np.any(af_per_interval(rr, valid, relaxed=valid & normal))
    assert not np.any(af_per_interval(rr, valid))


def test_bigeminy_is_not_af() -> None:
    rr = np.tile([0.55, 1.05], 25) + 0.005 * np.random.default_rng(4).standard_normal(50)
    assert clustered_fraction(rr) > 0.9
    leads, peaks = _qrs_train(rr, p_waves=True)
    classes = ["N" if i % 2 == 0 else "S" for i in range(len(peaks))]
    rhythm = analyze_rhythm(leads, FS, peaks, classes)
    assert rhythm.code != "AFIB"
    assert rhythm.pac_count == len(peaks) // 2


def test_pause_over_two_seconds() -> None:
    rr = np.full(20, 0.8)
    rr[10] = 2.5
    leads, peaks = _qrs_train(rr, p_waves=True)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert len(rhythm.pauses) == 1
    assert rhythm.pauses[0].duration_ms == pytest.approx(2500, abs=5)
    assert rhythm.pauses[0].start == peaks[10]


def test_pvc_count_and_burden() -> None:
    leads, peaks = _qrs_train(np.full(99, 0.8), p_waves=True)
    classes = ["V" if i % 10 == 5 else "N" for i in range(100)]
    rhythm = analyze_rhythm(leads, FS, peaks, classes)
    assert rhythm.pvc_count == 10
    assert rhythm.pvc_burden_pct == pytest.approx(10.0)
    assert rhythm.pac_count == 0
    assert rhythm.code == "SR"  # intervals around the V beats are left out


def test_episodes_sinus_af_sinus() -> None:
    first, af, last = _sinus_rr(60, seed=5), _irregular_rr(80, seed=6), _sinus_rr(60, seed=7)
    in_af = np.zeros(201, dtype=bool)
    in_af[60:141] = True
    leads, peaks = _qrs_train(np.concatenate((first, af, last)), p_waves=~in_af)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert [e.code for e in rhythm.episodes] == ["SR", "AFIB", "SR"]
    assert rhythm.code == "SR"  # 120 sinus intervals against 80 in AF
    onset_beat = int(np.searchsorted(peaks, rhythm.episodes[1].start))
    offset_beat = int(np.searchsorted(peaks, rhythm.episodes[1].end))
    # Random RR can look regular for a few beats at the edges of the AF stretch.
    assert abs(onset_beat - 60) <= 5
    assert abs(offset_beat - 140) <= 5
    assert rhythm.episodes[0].start == 0
    assert rhythm.episodes[-1].end == len(leads["II"])
    assert all(a.end == b.start for a, b in itertools.pairwise(rhythm.episodes))


def test_paced_beats() -> None:
    leads, peaks = _qrs_train(np.full(30, 0.857), p_waves=False)
    rhythm = analyze_rhythm(leads, FS, peaks, ["P"] * len(peaks))
    assert rhythm.code == "PACE"
    spikes = peaks - int(0.05 * FS)
    by_spike = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks), pacing_spikes=spikes)
    assert by_spike.code == "PACE"
    assert float(by_spike.evidence["paced_fraction"]) == 1.0


@pytest.mark.parametrize(
    "peaks",
    [np.array([], dtype=np.int64), np.array([100, 300, 500], dtype=np.int64)],
)
def test_too_few_beats_is_undetermined(peaks: np.ndarray) -> None:
    rhythm = analyze_rhythm({"II": np.zeros(2000)}, FS, peaks, ["N"] * len(peaks))
    assert rhythm.code == ""
    assert rhythm.episodes == []
    assert rhythm.hrv.sdnn_ms is None


def test_odd_input_never_raises() -> None:
    flat = {"II": np.zeros(5000)}
    peaks = np.arange(100, 5000, 200, dtype=np.int64)
    assert analyze_rhythm(flat, FS, peaks, ["N"] * len(peaks)).code == "SR"
    noise = {"II": np.random.default_rng(8).standard_normal(5000)}
    random_peaks = np.sort(np.random.default_rng(9).choice(5000, 40, replace=False))
    analyze_rhythm(noise, FS, random_peaks, ["Q"] * 40)
    analyze_rhythm(noise, FS, random_peaks, ["N"] * 3)  # classes of the wrong length
    assert analyze_rhythm({}, 0.0, peaks, ["N"] * len(peaks)).code == ""
    assert analyze_rhythm({"II": np.zeros(10)}, FS, peaks, ["V"] * len(peaks)).code == ""
    assert irregularity(np.array([0.8, 0.8]), np.array([True])) is None


needs_data = pytest.mark.skipif(not HAVE_DATA, reason=MISSING_REASON)


def _cpsc(name: str) -> tuple:
    from bench.ecg.records import load_annotations, load_record  # noqa: PLC0415

    ecg = load_record("cpsc2021", name)
    annotations = load_annotations("cpsc2021", name, "atr")
    beats, symbols = annotations.beats()
    classes = ["V" if s == "V" else "S" if s in "Aa" else "N" for s in symbols]
    episodes = []
    onset = None
    for sample, note in zip(annotations.sample.tolist(), annotations.aux_note, strict=True):
        if note.startswith("(AFIB"):
            onset = sample
        elif note.startswith("(N") and onset is not None:
            episodes.append((onset, sample))
    return ecg, beats, classes, episodes


@needs_data
@pytest.mark.parametrize(("name", "dominant"), [("data_92_19", "SR"), ("data_101_8", "AFIB")])
def test_cpsc2021_paroxysmal_af_found(name: str, dominant: str) -> None:
    """Reference R peaks and beat types; AF covers 16 % of 92_19 and 64 % of 101_8."""
    ecg, beats, classes, reference = _cpsc(name)
    rhythm = analyze_rhythm(ecg.leads, ecg.fs, beats, classes)
    found = [e for e in rhythm.episodes if e.code == "AFIB"]
    assert found
    assert any(min(e.end, b) > max(e.start, a) for e in found for a, b in reference)
    assert rhythm.code == dominant


@needs_data
@pytest.mark.parametrize("name", ["data_21_7", "data_21_9"])
def test_cpsc2021_non_af_has_no_af(name: str) -> None:
    ecg, beats, classes, _ = _cpsc(name)
    rhythm = analyze_rhythm(ecg.leads, ecg.fs, beats, classes)
    assert rhythm.code in {"SR", "SBRAD", "SARRH"}
    assert not [e for e in rhythm.episodes if e.code == "AFIB"]
    assert rhythm.hrv.sdnn_ms is not None


@needs_data
def test_cpsc2021_persistent_af() -> None:
    ecg, beats, classes, _ = _cpsc("data_84_2")
    rhythm = analyze_rhythm(ecg.leads, ecg.fs, beats, classes)
    assert [e.code for e in rhythm.episodes] == ["AFIB"]


@needs_data
@pytest.mark.parametrize(
    ("name", "is_af"), [("A00004", True), ("A00009", True), ("A00001", False), ("A00002", False)]
)
def test_cinc2017_af_and_normal(name: str, is_af: bool) -> None:
    from bench.ecg.records import load_record  # noqa: PLC0415
    from hybridmd.engines.ecg.analysis.beats import detect_beats  # noqa: PLC0415

    ecg = load_record("cinc2017", name)
    peaks = detect_beats(ecg.leads, ecg.fs).r_peaks
    rhythm = analyze_rhythm(ecg.leads, ecg.fs, peaks, ["N"] * len(peaks))
    assert (rhythm.code == "AFIB") == is_af


def test_regular_narrow_tachycardia_without_p_waves_is_svt() -> None:
    leads, peaks = _qrs_train(np.full(60, 0.35), p_waves=False)
    no_p = np.zeros(len(peaks), dtype=bool)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks), p_wave_present=no_p)
    assert rhythm.code == "SVTAC"
    with_p = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks), p_wave_present=~no_p)
    assert with_p.code == "STACH"  # P waves before every beat: sinus


def test_respiratory_sinus_arrhythmia() -> None:
    beats = np.arange(40)
    rr = 0.8 + 0.08 * np.sin(2 * np.pi * beats / 5.0)  # one breath every 5 beats
    leads, peaks = _qrs_train(rr, p_waves=True)
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert rhythm.code == "SARRH"
    leads, peaks = _qrs_train(_sinus_rr(40, rr=0.8), p_waves=True)
    assert analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks)).code == "SR"


@needs_data
@pytest.mark.parametrize(("name", "code"), [("1", "SBRAD"), ("35", "AFLT"), ("88", "AFIB")])
def test_ludb_rhythms(name: str, code: str) -> None:
    from bench.ecg.records import load_record  # noqa: PLC0415
    from hybridmd.engines.ecg.analysis.beats import detect_beats  # noqa: PLC0415

    ecg = load_record("ludb", name)
    peaks = detect_beats(ecg.leads, ecg.fs).r_peaks
    rhythm = analyze_rhythm(ecg.leads, ecg.fs, peaks, ["N"] * len(peaks))
    assert rhythm.code == code
    if code == "AFLT":
        assert float(rhythm.evidence["flutter_rate_per_min"]) == pytest.approx(285, abs=30)


def test_random_input_never_raises() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(1, 20000))
        fs = float(rng.choice([100.0, 250.0, 500.0]))
        leads = {"II": rng.standard_normal(n) * rng.choice([0.0, 1.0, 5.0])}
        count = int(rng.integers(0, 120))
        peaks = rng.integers(-50, n + 50, count)
        classes = list(rng.choice(list("NSVFQP"), count + int(rng.integers(0, 2))))
        p_flags = rng.random(count) > 0.5 if rng.random() > 0.5 else None
        spikes = rng.integers(0, n, 5) if rng.random() > 0.7 else None
        rhythm = analyze_rhythm(
            leads, fs, peaks, classes, p_wave_present=p_flags, pacing_spikes=spikes
        )
        assert rhythm.code in {"", "SR", "SBRAD", "STACH", "SARRH", "AFIB", "AFLT", "SVTAC", "PACE"}
        assert all(0 <= e.start < e.end <= n for e in rhythm.episodes)


def test_slow_ten_second_strip_is_still_read() -> None:
    leads, peaks = _qrs_train(np.full(6, 1.45), p_waves=True)  # 41/min: 7 beats in 10 s
    rhythm = analyze_rhythm(leads, FS, peaks, ["N"] * len(peaks))
    assert rhythm.code == "SBRAD"
    assert rhythm.heart_rate_bpm == pytest.approx(60 / 1.45, abs=0.5)
