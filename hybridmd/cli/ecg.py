"""``hybridmd ecg analyze FILE [--json]`` and ``hybridmd ecg render FILE -o out.svg``: the
built-in ECG reading from a shell, for any format the readers accept, without a database.

Exit status: 0 when the file was read (the reading itself may say "cannot read", with the
reason, in ``quality``); 2 when the file was refused, with the reason on stderr and, with
``--json``, a reading of the same shape whose ``quality.reasons`` holds it; 3 when the
engine itself failed (a bug to report, with the engine version on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hybridmd.cli._records import record_files

REFUSED = 2
ENGINE_FAILED = 3


def _read(args: Any) -> Any:
    from hybridmd.engines.ecg import ECGReadError, read_ecg  # noqa: PLC0415

    try:
        return read_ecg(record_files(Path(args.file)), fs=args.fs)
    except (ECGReadError, OSError) as exc:
        return str(exc)


def _refuse(reason: str, *, as_json: bool) -> int:
    from hybridmd.engines.ecg.analysis.interpret import Reading  # noqa: PLC0415

    if as_json:
        nothing = Reading(fs=0.0, duration_s=0.0, lead_names=(), usable=False, reasons=[reason])
        print(json.dumps(nothing.as_json(), ensure_ascii=False, allow_nan=False))
    print(f"refused: {reason}", file=sys.stderr)
    return REFUSED


def describe(reading: dict[str, Any]) -> str:
    """The reading as a physician reads a machine interpretation: rate, intervals, statements."""
    quality = reading["quality"]
    if not quality["usable"]:
        return "cannot read: " + " ".join(quality["reasons"])
    intervals, axis = reading["intervals_ms"], reading["axis_deg"]

    def show(value: float | None, unit: str = "") -> str:
        return "-" if value is None else f"{value:.0f}{unit}"

    rhythm = reading["statements"][0] if reading["rhythm"]["code"] else None
    own_rate = rhythm["evidence"].get("rhythm_rate_bpm") if rhythm else None
    lines = [
        f"{reading['rhythm']['label'] or 'rhythm undetermined'}"
        + (f" at {own_rate:.0f}/min" if own_rate is not None else "")
        + f", heart rate {show(reading['heart_rate_bpm'])} bpm ({len(reading['r_peaks'])} "
        f"beats in {reading['duration_s']:.1f} s)",
        f"PR {show(intervals['pr'])} ms, QRS {show(intervals['qrs'])} ms, "
        f"QT/QTc {show(intervals['qt'])}/{show(intervals['qtc'])} ms, "
        f"axes P {show(axis['p'])} QRS {show(axis['qrs'])} T {show(axis['t'])}",
    ]
    for statement in reading["statements"]:
        lines.append(
            f"  [{statement['severity']}] {statement['code']}: "
            f"{statement['label_en']} / {statement['label_ko']}"
        )
    lines.extend(f"  note: {reason}" for reason in quality["reasons"])
    return "\n".join(lines)


def _analyze(args: Any) -> int:
    from hybridmd.engines.ecg.analysis.interpret import ENGINE_VERSION, analyze  # noqa: PLC0415
    from hybridmd.engines.ecg.analysis.scp import Patient  # noqa: PLC0415

    ecg = _read(args)
    if isinstance(ecg, str):
        return _refuse(ecg, as_json=args.json)
    try:
        reading = analyze(ecg, Patient(sex=args.sex, age_years=args.age)).as_json()
    except Exception as exc:
        print(f"engine failed (hybridmd-ecg {ENGINE_VERSION}): {exc!r}", file=sys.stderr)
        return ENGINE_FAILED
    if args.json:
        print(json.dumps(reading, ensure_ascii=False, allow_nan=False))
    else:
        print(describe(reading))
    return 0


def _render(args: Any) -> int:
    from hybridmd.engines.ecg import render_svg  # noqa: PLC0415

    ecg = _read(args)
    if isinstance(ecg, str):
        return _refuse(ecg, as_json=False)
    out = Path(args.output)
    out.write_text(render_svg(ecg), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def register(subparsers: Any) -> None:
    ecg = subparsers.add_parser("ecg", help="read an ECG with the built-in engine, or draw it")
    commands = ecg.add_subparsers(dest="ecg_command", metavar="COMMAND", required=True)
    analyze = commands.add_parser(
        "analyze", help="beats, rhythm, intervals, axes and statements of FILE"
    )
    analyze.add_argument("file", help="WFDB .hea, DICOM ECG, HL7 aECG XML or CSV")
    analyze.add_argument("--json", action="store_true", help="print JSON")
    analyze.add_argument("--fs", type=float, default=None, help="sampling rate for CSV (Hz)")
    analyze.add_argument("--sex", choices=("male", "female"), default=None)
    analyze.add_argument("--age", type=int, default=None, help="age in years")
    analyze.set_defaults(handler=_analyze)
    render = commands.add_parser("render", help="draw FILE on standard ECG paper (SVG)")
    render.add_argument("file")
    render.add_argument("-o", "--output", required=True, help="where to write the SVG")
    render.add_argument("--fs", type=float, default=None, help="sampling rate for CSV (Hz)")
    render.set_defaults(handler=_render)
