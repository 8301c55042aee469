"""Wave delineation against LUDB's cardiologist marks, with NeuroKit2's DWT delineator
(lead II) as the anchor. Both get the reference QRS peaks of lead II as beat positions,
so only delineation is compared.

    python -m bench.ecg.delineation
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bench.ecg.records import load_annotations, load_record, record_names
from hybridmd.engines.ecg.analysis.delineation import delineate
from hybridmd.engines.ecg.analysis.types import BoolArray, FloatArray, IntArray

RECORDS = ("1", "2", "8", "35", "88")
LEAD_FILES = {
    "I": "i", "II": "ii", "III": "iii", "aVR": "avr", "aVL": "avl", "aVF": "avf",
    "V1": "v1", "V2": "v2", "V3": "v3", "V4": "v4", "V5": "v5", "V6": "v6",
}  # fmt: skip
FIDUCIALS = ("p_on", "p_peak", "p_off", "qrs_on", "qrs_off", "t_peak", "t_off")
LABELS = {
    "p_on": "P on", "p_peak": "P peak", "p_off": "P off", "qrs_on": "QRS on",
    "qrs_off": "QRS off", "t_peak": "T peak", "t_off": "T off",
}  # fmt: skip
# CSE working party: the 2-SD tolerance each fiducial's error SD should stay within (ms).
CSE_TOLERANCE_MS = {"p_on": 10.2, "p_off": 12.7, "qrs_on": 6.5, "qrs_off": 11.6, "t_off": 30.6}
MATCH_WINDOW_MS = 150.0
NEUROKIT_KEYS = {
    "p_on": "ECG_P_Onsets", "p_peak": "ECG_P_Peaks", "p_off": "ECG_P_Offsets",
    "qrs_on": "ECG_R_Onsets", "qrs_off": "ECG_R_Offsets", "t_peak": "ECG_T_Peaks",
    "t_off": "ECG_T_Offsets",
}  # fmt: skip


@dataclass
class Wave:
    on: int
    peak: int
    off: int


def lead_waves(record: str, extension: str) -> dict[str, list[Wave]]:
    """The '(' peak ')' triplets of one lead's annotation file, by wave (p, N, t)."""
    ann = load_annotations("ludb", record, extension)
    waves: dict[str, list[Wave]] = {"p": [], "N": [], "t": []}
    symbols, samples = ann.symbol, ann.sample
    for i, symbol in enumerate(symbols):
        if symbol not in waves:
            continue
        on = int(samples[i - 1]) if i > 0 and symbols[i - 1] == "(" else -1
        off = int(samples[i + 1]) if i + 1 < len(symbols) and symbols[i + 1] == ")" else -1
        waves[symbol].append(Wave(on, int(samples[i]), off))
    return waves


def reference_marks(
    per_lead: Mapping[str, dict[str, list[Wave]]], r_peaks: IntArray, fs: float
) -> dict[str, IntArray]:
    """Per beat, per fiducial: earliest onset / latest offset / median peak across leads."""
    marks = {name: np.full(r_peaks.size, -1, dtype=np.int64) for name in FIDUCIALS}
    for k, r in enumerate(r_peaks):
        found: dict[str, list[int]] = {name: [] for name in FIDUCIALS}
        for waves in per_lead.values():
            qrs = _nearest(waves["N"], int(r), 0.1 * fs)
            if qrs is None:
                continue
            found["qrs_on"].append(qrs.on)
            found["qrs_off"].append(qrs.off)
            p = _wave_between(waves["p"], qrs.on - int(0.4 * fs), qrs.on)
            if p is not None:
                found["p_on"].append(p.on)
                found["p_peak"].append(p.peak)
                found["p_off"].append(p.off)
            t = _wave_between(waves["t"], qrs.off, qrs.off + int(0.7 * fs))
            if t is not None:
                found["t_peak"].append(t.peak)
                found["t_off"].append(t.off)
        for name, candidates in found.items():
            values = [v for v in candidates if v >= 0]
            if not values:
                continue
            if name.endswith("_on"):
                marks[name][k] = min(values)
            elif name.endswith("_off"):
                marks[name][k] = max(values)
            else:
                marks[name][k] = int(np.median(values))
    return marks


def _nearest(waves: Sequence[Wave], sample: int, within: float) -> Wave | None:
    best = min(waves, key=lambda w: abs(w.peak - sample), default=None)
    return best if best is not None and abs(best.peak - sample) <= within else None


def _wave_between(waves: Sequence[Wave], start: int, stop: int) -> Wave | None:
    inside = [w for w in waves if start <= w.peak <= stop]
    return inside[0] if inside else None


@dataclass
class Errors:
    """Signed errors (ms) per fiducial, with counts of reference marks found and missed."""

    errors: dict[str, list[float]] = field(default_factory=lambda: {f: [] for f in FIDUCIALS})
    missed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIDUCIALS, 0))
    extra: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIDUCIALS, 0))

    def add(
        self, ours: Mapping[str, IntArray], reference: Mapping[str, IntArray], fs: float
    ) -> None:
        for name in FIDUCIALS:
            for mine, ref in zip(ours[name], reference[name], strict=True):
                if ref < 0:
                    self.extra[name] += int(mine >= 0)
                    continue
                error = (mine - ref) / fs * 1000.0
                if mine < 0 or abs(error) > MATCH_WINDOW_MS:
                    self.missed[name] += 1
                else:
                    self.errors[name].append(float(error))


def neurokit_marks(lead: FloatArray, r_peaks: IntArray, fs: float) -> dict[str, IntArray]:
    import neurokit2 as nk  # noqa: PLC0415 -- anchor only

    cleaned = nk.ecg_clean(lead, sampling_rate=int(fs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, waves = nk.ecg_delineate(cleaned, r_peaks, sampling_rate=int(fs), method="dwt")
    marks: dict[str, IntArray] = {}
    for name, key in NEUROKIT_KEYS.items():
        values = np.asarray(waves.get(key, [np.nan] * r_peaks.size), dtype=np.float64)
        marks[name] = np.where(np.isfinite(values), values, -1).astype(np.int64)
    return marks


def our_marks(leads: Mapping[str, FloatArray], r_peaks: IntArray, fs: float) -> dict[str, IntArray]:
    fiducials = delineate(leads, fs, r_peaks).fiducials
    return {name: getattr(fiducials, name) for name in FIDUCIALS}


def _row(label: str, result: Errors, name: str) -> str:
    values = np.asarray(result.errors[name])
    total = values.size + result.missed[name]
    if total == 0:
        return f"| {label} | {LABELS[name]} | – | – | – | 0 | {result.extra[name]} | – |"
    sensitivity = 100.0 * values.size / total
    mean = f"{values.mean():+.1f}" if values.size else "–"
    sd = f"{values.std(ddof=1):.1f}" if values.size > 1 else "–"
    tolerance = CSE_TOLERANCE_MS.get(name)
    verdict = "–"
    if tolerance is not None and values.size > 1:
        verdict = f"{'met' if values.std(ddof=1) <= tolerance else 'not met'} ({tolerance})"
    return (
        f"| {label} | {LABELS[name]} | {mean} | {sd} | {sensitivity:.0f}% ({values.size}/{total}) "
        f"| {total} | {result.extra[name]} | {verdict} |"
    )


def _interval_row(
    record: str,
    ours: Mapping[str, float | None],
    ref: Mapping[str, float | None],
    p_share: tuple[float, float],
    widest_lead_qrs: float,
) -> str:
    def show(value: float | None) -> str:
        return f"{value:.0f}" if value is not None else "–"

    cells = " | ".join(f"{show(ours[k])} / {show(ref[k])}" for k in ("pr", "qrs", "qt"))
    return f"| {record} | {cells} | {widest_lead_qrs:.0f} | {p_share[0]:.0%} / {p_share[1]:.0%} |"


def widest_lead_qrs_ms(per_lead: Mapping[str, dict[str, list[Wave]]], fs: float) -> float:
    """The longest of the leads' median QRS durations as the cardiologists marked them."""
    medians = [
        float(np.median([(w.off - w.on) / fs * 1000.0 for w in complete]))
        for waves in per_lead.values()
        if (complete := [w for w in waves["N"] if w.on >= 0 and w.off >= 0])
    ]
    return max(medians, default=float("nan"))


def _reference_intervals(reference: Mapping[str, IntArray], fs: float) -> dict[str, float | None]:
    def median_ms(start: str, stop: str) -> float | None:
        ok = (reference[start] >= 0) & (reference[stop] >= 0)
        if not ok.any():
            return None
        return float(np.median(reference[stop][ok] - reference[start][ok])) / fs * 1000.0

    return {
        "pr": median_ms("p_on", "qrs_on"),
        "qrs": median_ms("qrs_on", "qrs_off"),
        "qt": median_ms("qrs_on", "t_off"),
    }


def run(records: Sequence[str] = RECORDS) -> list[str]:
    results = {key: Errors() for key in ("ours12", "ours2", "nk_ii", "nk_global")}
    ours_lead_ii = Errors()
    interval_rows: list[str] = []
    for record in records:
        ecg = load_record("ludb", record)
        fs = ecg.fs
        per_lead = {lead: lead_waves(record, ext) for lead, ext in LEAD_FILES.items()}
        r_peaks = np.asarray([w.peak for w in per_lead["II"]["N"]], dtype=np.int64)
        global_ref = reference_marks(per_lead, r_peaks, fs)
        lead_ii_ref = reference_marks({"II": per_lead["II"]}, r_peaks, fs)
        delineation = delineate(ecg.leads, fs, r_peaks)
        ours = {name: getattr(delineation.fiducials, name) for name in FIDUCIALS}
        results["ours12"].add(ours, global_ref, fs)
        ours_ii = our_marks({"II": ecg.leads["II"]}, r_peaks, fs)
        ours_lead_ii.add(ours_ii, lead_ii_ref, fs)
        nk = neurokit_marks(ecg.leads["II"], r_peaks, fs)
        results["nk_ii"].add(nk, lead_ii_ref, fs)
        results["nk_global"].add(nk, global_ref, fs)
        m = delineation.measurements
        annotated = global_ref["qrs_on"] >= 0
        p_share = (
            float(np.mean(delineation.p_wave_present[annotated])),
            float(np.mean(global_ref["p_on"][annotated] >= 0)),
        )
        interval_rows.append(
            _interval_row(
                record,
                {"pr": m.pr_ms, "qrs": m.qrs_ms, "qt": m.qt_ms},
                _reference_intervals(global_ref, fs),
                p_share,
                widest_lead_qrs_ms(per_lead, fs),
            )
        )
    lines = [
        "## Wave delineation (LUDB)",
        "",
        f"LUDB records {', '.join(records)} (500 Hz, 12 leads, 10 s; 8 and 88 are AF, 35 atrial "
        "flutter). Beat positions are the cardiologists' QRS peaks of lead II, given to both "
        "delineators. The global reference mark of a beat is the earliest onset / latest "
        "offset (median peak) over the 12 leads' cardiologist marks. Error = ours − reference "
        f"(ms); a reference mark counts as found when a mark lies within {MATCH_WINDOW_MS:.0f} ms; "
        "'extra' = marks where the reference has none (e.g. P waves in AF). Ours: median-beat "
        "spatial-velocity delineation, marks mapped to each beat; NeuroKit2 0.2: "
        "`ecg_delineate(ecg_clean(II), rpeaks, method='dwt')`. CSE 2-SD tolerance: the SD "
        "should not exceed it.",
        "",
        "| delineator | fiducial | mean error | SD | found | reference marks | extra | CSE SD |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    titles = {
        "ours12": "ours, 12 leads vs global",
        "nk_global": "NeuroKit2 DWT, II vs global",
        "nk_ii": "NeuroKit2 DWT, II vs lead II",
    }
    for key in ("ours12", "nk_global"):
        lines += [_row(titles[key], results[key], name) for name in FIDUCIALS]
    lines += [_row("ours, lead II only vs lead II", ours_lead_ii, n) for n in FIDUCIALS]
    lines += [_row(titles["nk_ii"], results["nk_ii"], name) for name in FIDUCIALS]
    lines += [
        "",
        "Intervals of each record: ours (12-lead median beat) / reference (median over beats "
        "of the global reference marks), ms; the longest per-lead QRS (median over beats of "
        "one lead's own marks: the earliest/latest union is wider, because the 12 leads were "
        "marked one by one); the share of annotated beats with a P wave (ours "
        "`p_wave_present` / the cardiologists' P marks).",
        "",
        "| record | PR | QRS | QT | longest lead QRS | beats with P |",
        "|---|---:|---:|---:|---:|---:|",
        *interval_rows,
    ]
    return [*lines, "", *p_wave_presence()]


def af_mask(database: str, record: str, length: int) -> BoolArray:
    """Samples inside the reference AF episodes ('+' annotations with aux '(AFIB')."""
    ann = load_annotations(database, record, "atr")
    inside = np.zeros(length, dtype=np.bool_)
    start: int | None = None
    for sample, symbol, aux in zip(ann.sample, ann.symbol, ann.aux_note, strict=True):
        if symbol != "+":
            continue
        if start is not None:
            inside[start:sample] = True
            start = None
        if "AFIB" in aux:
            start = int(sample)
    if start is not None:
        inside[start:] = True
    return inside


def p_wave_presence() -> list[str]:
    """Share of beats flagged with a P wave, inside and outside the reference AF episodes
    of CPSC 2021 (ours: leads I and II; NeuroKit2: a DWT P peak found on lead II)."""
    counts = {key: [0, 0, 0] for key in ("AF", "no AF")}  # beats, ours, NeuroKit2
    for record in record_names("cpsc2021"):
        ecg = load_record("cpsc2021", record)
        r_peaks, _ = load_annotations("cpsc2021", record, "atr").beats()
        in_af = af_mask("cpsc2021", record, len(ecg.leads["II"]))[r_peaks]
        ours = delineate(ecg.leads, ecg.fs, r_peaks).p_wave_present
        theirs = neurokit_marks(ecg.leads["II"], r_peaks, ecg.fs)["p_peak"] >= 0
        for key, where in (("AF", in_af), ("no AF", ~in_af)):
            counts[key][0] += int(where.sum())
            counts[key][1] += int(ours[where].sum())
            counts[key][2] += int(theirs[where].sum())
    rows = [
        f"| {key} | {beats} | {ours / beats:.0%} | {theirs / beats:.0%} |"
        for key, (beats, ours, theirs) in counts.items()
        if beats
    ]
    return [
        "P-wave presence per beat on CPSC 2021 (18 records, 2 leads, 200 Hz; reference beats "
        "and AF episodes): the share of beats flagged with a P wave. In AF it should be low, "
        "outside AF high. Ours: `p_wave_present` (leads I and II); NeuroKit2: a DWT P peak "
        "found on lead II.",
        "",
        "| beats | count | ours | NeuroKit2 DWT |",
        "|---|---:|---:|---:|",
        *rows,
    ]


if __name__ == "__main__":
    print("\n".join(run()))
