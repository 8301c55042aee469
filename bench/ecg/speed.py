"""Speed of a full reading of a 10 s, 12-lead, 500 Hz ECG (LUDB record 1) on one core,
beside NeuroKit2's ``ecg_process`` + ``ecg_delineate`` (dwt) on the same 12 leads.

Target: median ≤ 250 ms. The process is pinned to one CPU so a BLAS or a second core
cannot help either side.
"""

from __future__ import annotations

import os

import numpy as np

from bench.ecg.records import load_record
from bench.machine import median_ms
from hybridmd.engines.ecg import ECG
from hybridmd.engines.ecg.analysis.beat_classes import classify_beats
from hybridmd.engines.ecg.analysis.beats import detect_beats
from hybridmd.engines.ecg.analysis.delineation import delineate
from hybridmd.engines.ecg.analysis.interpret import analyze
from hybridmd.engines.ecg.analysis.rhythm import analyze_rhythm
from hybridmd.engines.ecg.analysis.statements import interpret

TARGET_MS = 250.0


def neurokit_12_leads(ecg: ECG) -> None:
    import neurokit2 as nk  # noqa: PLC0415 -- the anchor only

    for signal in ecg.leads.values():
        processed, info = nk.ecg_process(np.asarray(signal), sampling_rate=int(ecg.fs))
        nk.ecg_delineate(
            processed["ECG_Clean"], info["ECG_R_Peaks"], sampling_rate=int(ecg.fs), method="dwt"
        )


def _stages(ecg: ECG, runs: int) -> list[tuple[str, float]]:
    detection = detect_beats(ecg.leads, ecg.fs)
    r_peaks, spikes = detection.r_peaks, detection.pacing_spikes
    classes = [str(c) for c in classify_beats(ecg.leads, ecg.fs, r_peaks, spikes)]
    delineation = delineate(ecg.leads, ecg.fs, r_peaks, classes)
    rhythm = analyze_rhythm(
        ecg.leads, ecg.fs, r_peaks, classes, p_wave_present=delineation.p_wave_present
    )
    return [
        (
            "beat detection and signal checks",
            median_ms(lambda: detect_beats(ecg.leads, ecg.fs), runs),
        ),
        (
            "beat classification",
            median_ms(lambda: classify_beats(ecg.leads, ecg.fs, r_peaks, spikes), runs),
        ),
        (
            "delineation and measurements",
            median_ms(lambda: delineate(ecg.leads, ecg.fs, r_peaks, classes), runs),
        ),
        (
            "rhythm",
            median_ms(
                lambda: analyze_rhythm(
                    ecg.leads, ecg.fs, r_peaks, classes, p_wave_present=delineation.p_wave_present
                ),
                runs,
            ),
        ),
        ("statements", median_ms(lambda: interpret(delineation.measurements, rhythm), runs)),
    ]


def run(runs: int = 15) -> list[str]:
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        return _measure(runs)
    finally:
        os.sched_setaffinity(0, cpus)


def _measure(runs: int) -> list[str]:
    ecg = load_record("ludb", "1")
    ours = median_ms(lambda: analyze(ecg), runs)
    anchor = median_ms(lambda: neurokit_12_leads(ecg), max(3, runs // 3))
    verdict = "met" if ours <= TARGET_MS else "**missed**"
    lines = [
        f"LUDB record 1 (10 s, 12 leads, 500 Hz), one CPU, median of {runs} runs after a warm-up.",
        "",
        "| | median | target | result |",
        "| --- | ---: | --- | --- |",
        f"| ours: full reading (`analyze`) | {ours:.0f} ms | ≤ {TARGET_MS:.0f} ms | {verdict} |",
        f"| anchor: NeuroKit2 `ecg_process` + `ecg_delineate` (dwt) × 12 leads | {anchor:.0f} ms"
        f" | | anchor ÷ ours = {anchor / ours:.1f}× |",
        "",
        "| stage (ours) | median |",
        "| --- | ---: |",
    ]
    lines += [f"| {stage} | {ms:.1f} ms |" for stage, ms in _stages(ecg, runs)]
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
