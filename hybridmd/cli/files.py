"""``hybridmd files read FILE`` and ``hybridmd files deid IN -o OUT``: the clinical file
readers and de-identifiers from a shell, without a database.

Exit status: 0 when the file was understood (and written), 2 when it was refused (the
reason is one line on stderr), as hospital scripts expect.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

from hybridmd.cli._records import record_files

REFUSED = 2


def _incoming(path: Path) -> list[Any]:
    from hybridmd.engines.intake.archives import IncomingFile  # noqa: PLC0415

    return [IncomingFile(name=name, data=data) for name, data in record_files(path).items()]


def _refuse(reason: str) -> int:
    print(f"refused: {reason}", file=sys.stderr)
    return REFUSED


def _describe(summary: dict[str, Any], kind: str, source_format: str) -> str:
    if kind == "ecg":
        return (
            f"ECG ({source_format}): {summary['lead_count']} leads "
            f"[{', '.join(summary['leads'])}], {summary['fs']} Hz, {summary['duration_s']} s"
        )
    spacing = summary.get("pixel_spacing_mm")
    return (
        f"image ({source_format}): {summary['columns']}x{summary['rows']}, "
        f"modality {summary['modality'] or '-'}, {summary['photometric']}"
        + (f", {spacing[0]} x {spacing[1]} mm/pixel" if spacing else "")
    )


def _run(args: Any) -> Any:
    from hybridmd.engines.intake.pipeline import IntakeError, process  # noqa: PLC0415

    try:
        outcome = process(
            _incoming(Path(args.file)),
            uid_salt=secrets.token_bytes(16),
            fs=args.fs,
            max_total_bytes=2**31,
        )
    except (IntakeError, OSError) as exc:
        return str(exc)
    if outcome.refused:
        return outcome.refused[0].reason
    if not outcome.processed:
        return "Nothing in it is an ECG or an image."
    return outcome.processed[0]


def _read(args: Any) -> int:
    item = _run(args)
    if isinstance(item, str):
        return _refuse(item)
    if args.json:
        print(json.dumps({"kind": item.kind, "format": item.source_format, **item.summary}))
    else:
        print(_describe(item.summary, item.kind, item.source_format))
    return 0


def _deid(args: Any) -> int:
    item = _run(args)
    if isinstance(item, str):
        return _refuse(item)
    out = Path(args.output)
    out.write_bytes(item.canonical[1])
    report = item.report.as_dict()
    if args.json:
        print(json.dumps({"output": str(out), "kind": item.kind, "report": report}))
    else:
        print(f"wrote {out} ({item.canonical[0].rsplit('.', 1)[-1].upper()})")
        for change in report["changes"]:
            print(f"  {change['action']}: {change['where']}")
        for risk in report["risks"]:
            print(f"  check: {risk}")
    return 0


def register(subparsers: Any) -> None:
    files = subparsers.add_parser("files", help="read or de-identify an ECG or image file")
    commands = files.add_subparsers(dest="files_command", metavar="COMMAND", required=True)
    read = commands.add_parser("read", help="print what the readers understood of FILE")
    read.add_argument("file")
    read.add_argument("--fs", type=float, default=None, help="sampling rate for CSV ECGs (Hz)")
    read.add_argument("--json", action="store_true", help="print JSON")
    read.set_defaults(handler=_read)
    deid = commands.add_parser("deid", help="write the de-identified file and print the report")
    deid.add_argument("file")
    deid.add_argument("-o", "--output", required=True, help="where to write it")
    deid.add_argument("--fs", type=float, default=None, help="sampling rate for CSV ECGs (Hz)")
    deid.add_argument("--json", action="store_true", help="print JSON")
    deid.set_defaults(handler=_deid)
