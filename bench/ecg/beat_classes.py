"""Beat classification (AAMI N / S / V / F / Q) against reference annotations, EC57 style.

python -m bench.ecg.beat_classes            # all records
python -m bench.ecg.beat_classes mitdb      # one database (while developing)
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from bench.ecg.ec57 import match_beats
from bench.ecg.records import load_annotations, load_record, record_names
from hybridmd.engines.ecg.analysis import beat_classes
from hybridmd.engines.ecg.analysis.beat_classes import classify_beats
from hybridmd.engines.ecg.analysis.beats import detect_beats

DATABASES = ("mitdb", "svdb", "cpsc2021")
MITDB_RECORDS = ("100", "208")
RESAMPLED_RATES = (100.0, 128.0, 250.0, 500.0, 1000.0)
# Reference beat symbols -> AAMI EC57 classes (paced '/' and fusion-of-paced 'f' go to Q,
# as in the EC57 class mapping used by de Chazal 2004).
AAMI_CLASS = {
    **dict.fromkeys("NLRej", "N"),
    **dict.fromkeys("AaJS", "S"),
    **dict.fromkeys("VE", "V"),
    "F": "F",
    **dict.fromkeys("/fQ", "Q"),
}
REFERENCE_CLASSES = ("N", "S", "V", "F", "Q")
OUR_CLASSES = ("N", "S", "V", "F", "Q", "P")
MISSED = "O"  # a reference beat the detector did not find (end-to-end only)
EXTRA = "X"  # a detection with no reference beat (end-to-end only)


@dataclass
class Confusion:
    """Counts of (reference class, our class), including MISSED and EXTRA."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    reported: dict[str, int] = field(default_factory=dict)  # our labels over all our beats

    def add(self, reference: str, ours: str) -> None:
        self.counts[(reference, ours)] = self.counts.get((reference, ours), 0) + 1

    def merge(self, other: Confusion) -> None:
        for pair, count in other.counts.items():
            self.counts[pair] = self.counts.get(pair, 0) + count
        for label, count in other.reported.items():
            self.reported[label] = self.reported.get(label, 0) + count

    def n(self, reference: str, ours: str) -> int:
        return self.counts.get((reference, ours), 0)

    def row(self, reference: str) -> int:
        return sum(v for (r, _), v in self.counts.items() if r == reference)

    def veb(self) -> tuple[int, int, int]:
        """(TP, FN, FP) for ventricular ectopic beats; reference F and Q called V are not
        counted against us (EC57)."""
        tp = self.n("V", "V")
        fn = self.row("V") - tp
        fp = self.n("N", "V") + self.n("S", "V") + self.n(EXTRA, "V")
        return tp, fn, fp

    def sveb(self) -> tuple[int, int, int]:
        """(TP, FN, FP) for supraventricular ectopic beats; reference Q is not counted."""
        tp = self.n("S", "S")
        fn = self.row("S") - tp
        fp = self.n("N", "S") + self.n("V", "S") + self.n("F", "S") + self.n(EXTRA, "S")
        return tp, fn, fp


@dataclass
class RecordResult:
    name: str
    minutes: float
    on_reference: Confusion
    end_to_end: Confusion
    seconds: float  # classification time on the reference positions


def _percent(numerator: int, denominator: int) -> str:
    return f"{100.0 * numerator / denominator:.1f}" if denominator else "–"


def evaluate_record(database: str, name: str) -> RecordResult:
    ecg = load_record(database, name)
    samples, symbols = load_annotations(database, name, "atr").beats()
    reference = [AAMI_CLASS.get(s, "Q") for s in symbols]

    started = time.perf_counter()
    ours = classify_beats(ecg.leads, ecg.fs, samples)
    seconds = time.perf_counter() - started
    on_reference = Confusion()
    for ref_class, our_class in zip(reference, ours, strict=True):
        on_reference.add(ref_class, str(our_class))
    for label in ours:
        on_reference.reported[str(label)] = on_reference.reported.get(str(label), 0) + 1

    detection = detect_beats(ecg.leads, ecg.fs)
    detected = classify_beats(ecg.leads, ecg.fs, detection.r_peaks, detection.pacing_spikes)
    match = match_beats(samples, detection.r_peaks, ecg.fs)
    end_to_end = Confusion()
    matched_reference = {i for i, _ in match.pairs}
    matched_detected = {j for _, j in match.pairs}
    for i, j in match.pairs:
        end_to_end.add(reference[i], str(detected[j]))
    for i, ref_class in enumerate(reference):
        if i not in matched_reference:
            end_to_end.add(ref_class, MISSED)
    for j, label in enumerate(detected):
        end_to_end.reported[str(label)] = end_to_end.reported.get(str(label), 0) + 1
        if j not in matched_detected:
            end_to_end.add(EXTRA, str(label))
    n_samples = len(next(iter(ecg.leads.values())))
    return RecordResult(
        name=f"{database} {name}",
        minutes=n_samples / ecg.fs / 60.0,
        on_reference=on_reference,
        end_to_end=end_to_end,
        seconds=seconds,
    )


def evaluate(databases: list[str]) -> list[RecordResult]:
    results: list[RecordResult] = []
    for database in databases:
        names = list(MITDB_RECORDS) if database == "mitdb" else record_names(database)
        results.extend(evaluate_record(database, name) for name in names)
    return results


def _statistics_table(results: list[RecordResult], end_to_end: bool) -> list[str]:
    lines = [
        "| record | min | ref V | our V | VEB Se % | VEB +P % | ref S | our S | SVEB Se % "
        "| SVEB +P % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    pooled = Confusion()
    minutes = 0.0
    for result in results:
        confusion = result.end_to_end if end_to_end else result.on_reference
        pooled.merge(confusion)
        minutes += result.minutes
        lines.append(_statistics_row(result.name, result.minutes, confusion))
    lines.append(_statistics_row("**pooled**", minutes, pooled))
    return lines


def _statistics_row(label: str, minutes: float, confusion: Confusion) -> str:
    v_tp, v_fn, v_fp = confusion.veb()
    s_tp, s_fn, s_fp = confusion.sveb()
    return (
        f"| {label} | {minutes:.0f} | {confusion.row('V')} | {confusion.reported.get('V', 0)} "
        f"| {_percent(v_tp, v_tp + v_fn)} | {_percent(v_tp, v_tp + v_fp)} "
        f"| {confusion.row('S')} | {confusion.reported.get('S', 0)} "
        f"| {_percent(s_tp, s_tp + s_fn)} | {_percent(s_tp, s_tp + s_fp)} |"
    )


def _confusion_table(confusion: Confusion, end_to_end: bool) -> list[str]:
    columns = [*OUR_CLASSES, MISSED] if end_to_end else list(OUR_CLASSES)
    rows = [*REFERENCE_CLASSES, EXTRA] if end_to_end else list(REFERENCE_CLASSES)
    lines = [
        "| reference \\ ours | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for reference in rows:
        cells = [str(confusion.n(reference, ours)) for ours in columns]
        lines.append(f"| {reference} | " + " | ".join(cells) + " |")
    return lines


def _resampled_rates_table() -> list[str]:
    """MIT-BIH 100 and 208 resampled from 360 Hz: the same beats at other sampling rates."""
    lines = [
        "| record | fs (Hz) | VEB Se % | VEB +P % | SVEB Se % | SVEB +P % |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in MITDB_RECORDS:
        ecg = load_record("mitdb", name)
        samples, symbols = load_annotations("mitdb", name, "atr").beats()
        reference = [AAMI_CLASS.get(s, "Q") for s in symbols]
        for fs in RESAMPLED_RATES:
            ratio = Fraction(int(fs), int(ecg.fs))
            leads = {
                lead: np.asarray(resample_poly(values, ratio.numerator, ratio.denominator))
                for lead, values in ecg.leads.items()
            }
            positions = np.round(samples * fs / ecg.fs).astype(np.int64)
            confusion = Confusion()
            for ref_class, our_class in zip(
                reference, classify_beats(leads, fs, positions), strict=True
            ):
                confusion.add(ref_class, str(our_class))
            v_tp, v_fn, v_fp = confusion.veb()
            s_tp, s_fn, s_fp = confusion.sveb()
            lines.append(
                f"| mitdb {name} | {fs:.0f} | {_percent(v_tp, v_tp + v_fn)} "
                f"| {_percent(v_tp, v_tp + v_fp)} | {_percent(s_tp, s_tp + s_fn)} "
                f"| {_percent(s_tp, s_tp + s_fp)} |"
            )
    return lines


def run(databases: list[str] | None = None) -> list[str]:
    results = evaluate(databases or list(DATABASES))
    pooled_reference = Confusion()
    pooled_end_to_end = Confusion()
    for result in results:
        pooled_reference.merge(result.on_reference)
        pooled_end_to_end.merge(result.end_to_end)
    seconds = sum(r.seconds for r in results)
    minutes = sum(r.minutes for r in results)
    return [
        "`classify_beats` labels every beat N, S, V, F, Q (or P when paced) without any "
        "trained model. The record's normal QRS template is its dominant morphology (or, "
        "when a second shape holds a fifth of the beats or more, the clearly narrower one, "
        "or at equal width the one that does not come early). V: a QRS unlike the template "
        f"(correlation < {beat_classes.DIFFERENT_CORRELATION}, and < "
        f"{beat_classes.LEAD_DIFFERENT_CORRELATION} in its best-matching leads, so that an "
        "artefact in one lead is not a PVC) that is wider (QRS spread > "
        f"{beat_classes.WIDE_SPREAD_RATIO}x) or early; in an irregularly irregular rhythm "
        "only a wide or wholly unrelated QRS counts; in a regular rhythm an on-time one (RR "
        f"{beat_classes.NEAR_NORMAL_TIMING:.0%}-{beat_classes.LATE_RATIO:.0%} of the normal "
        "RR) only when it repeats a shape that at least "
        f"{beat_classes.MIN_VENTRICULAR_BEATS} ventricular beats share (finger contact and "
        "motion deform normal beats at random). S: a normal-looking QRS whose RR drops "
        f"suddenly below {beat_classes.PREMATURE_RATIO:.0%} of the local normal RR, either "
        f"clearly (< {beat_classes.CLEARLY_PREMATURE_RATIO:.0%}) or followed by a reset, and "
        "never while the rhythm is irregularly irregular (AF-like: successive RR changes, "
        "spread around the local median RR, RR-dRR map scatter after Lian et al. 2011). F: "
        "a QRS moderately like both the normal and the ventricular template, on time. Q: a "
        "different-looking beat in a noisy stretch or of implausible amplitude, an on-time "
        "one of no recurring shape, one cut off by the start or end of the recording, or an "
        "extra detection (T wave, spike): an S or V beat very early (< "
        f"{beat_classes.VERY_EARLY_RATIO:.0%} of the normal RR) and squeezed into one normal "
        "cycle whose ends stay on schedule (no PAC reset, no PVC pause), a V beat so "
        "squeezed of no recurring ventricular shape, or a very early V beat of no recurring "
        "shape; the beat after it is timed from the one before. Reference symbols map to "
        "AAMI classes "
        "(N: N L R e j; S: A a J S; V: V E; F: F; Q: / f Q). Statistics follow EC57: VEB +P "
        "does not count reference F called V, SVEB +P counts N, V and F called S; reference "
        "Q is left out of both. Records: MIT-BIH Arrhythmia 100 and 208, MIT-BIH "
        "Supraventricular 800 and the 18 CPSC 2021 Holter excerpts (whole records; the CPSC "
        "2021 AF records check that AF does not turn into S beats). The thresholds were set "
        "while looking at these same records, so the figures are not an independent test.",
        "",
        "Neither NeuroKit2 nor wfdb classifies beats, so there is no library anchor here. "
        "For published context only (a different, larger test set): de Chazal et al. 2004, "
        "a feature-based linear discriminant trained on MIT-BIH DS1 and tested on DS2, "
        "report VEB Se 77.7 % / +P 81.9 % and SVEB Se 75.9 % / +P 38.5 %. With four "
        "annotated records carrying V or S beats here, our figures are indicative only and "
        "are not comparable to that DS2 result.",
        "",
        "### On the reference R-peak positions",
        "",
        *_statistics_table(results, end_to_end=False),
        "",
        "Pooled confusion matrix (rows: reference class, columns: our class):",
        "",
        *_confusion_table(pooled_reference, end_to_end=False),
        "",
        "### End to end, with our `detect_beats`",
        "",
        "Our detections matched to the reference beats with `match_beats` (EC57, 150 ms). "
        f"Reference beats the detector missed ({MISSED}) count against sensitivity, and "
        f"detections with no reference beat ({EXTRA}) called V or S count against positive "
        "predictivity. 'our V' and 'our S' count all our beats, as a report would.",
        "",
        *_statistics_table(results, end_to_end=True),
        "",
        *_confusion_table(pooled_end_to_end, end_to_end=True),
        "",
        "### Other sampling rates",
        "",
        "MIT-BIH 100 and 208 resampled (`scipy.signal.resample_poly`) from 360 Hz, classified "
        "on the reference positions: the method adapts to the rate (morphology is compared "
        "at about 180-250 Hz, or at the native rate below that).",
        "",
        *_resampled_rates_table(),
        "",
        f"Classification time on the reference positions: {seconds:.1f} s for "
        f"{minutes / 60.0:.1f} h of recordings.",
    ]


if __name__ == "__main__":
    print("\n".join(run(sys.argv[1:] or None)))
