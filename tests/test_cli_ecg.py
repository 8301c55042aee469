"""``hybridmd ecg analyze`` and ``hybridmd ecg render``: the contract hospital IT scripts use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hybridmd.cli import main
from hybridmd.engines.ecg.tests.samples import ECG_DATA, HAVE_DATA, MISSING_REASON

needs_data = pytest.mark.skipif(not HAVE_DATA, reason=MISSING_REASON)
LUDB_1 = ECG_DATA / "ludb_12lead_delineation" / "1.hea"
SCRIPT = Path(sys.executable).with_name("hybridmd")


@needs_data
def test_analyze_prints_the_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ecg", "analyze", str(LUDB_1), "--json"]) == 0
    reading = json.loads(capsys.readouterr().out)
    assert reading["fs"] == 500.0
    assert reading["duration_s"] == 10.0
    assert reading["quality"]["usable"] is True
    assert reading["rhythm"]["code"] == "SBRAD"  # the cardiologists' reading of LUDB 1
    assert reading["heart_rate_bpm"] < 60
    assert len(reading["r_peaks"]) == len(reading["beats"]) >= 6
    assert reading["statements"][0]["label_ko"] == "동서맥"
    assert {"pr", "qrs", "qt", "qtc"} <= set(reading["intervals_ms"])


@needs_data
def test_analyze_prints_a_readable_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ecg", "analyze", str(LUDB_1), "--sex", "female", "--age", "51"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Sinus bradycardia at ")
    assert "SBRAD: Sinus bradycardia / 동서맥" in out


def test_a_recording_with_gaps_is_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["time,I,II"] + [f"{i / 250:.3f},0.1,0.2" for i in range(2500)]
    rows[1200] = "4.796,NaN,0.2"
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(rows))
    assert main(["ecg", "analyze", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    reading = json.loads(captured.out)
    assert reading["quality"]["usable"] is False
    assert reading["rhythm"]["code"] is None  # the same shape as a reading
    assert reading["statements"] == []
    assert reading["engine"]["name"] == "hybridmd-ecg"
    assert "missing or invalid samples" in reading["quality"]["reasons"][0]
    assert captured.err.startswith("refused: Lead I has 1 missing or invalid samples")


def test_a_recording_too_short_to_read_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["time,II"] + [f"{i / 250:.3f},{0.1 * (i % 250 == 0):.1f}" for i in range(500)]
    path = tmp_path / "short.csv"
    path.write_text("\n".join(rows))
    assert main(["ecg", "analyze", str(path)]) == 0
    assert capsys.readouterr().out.startswith("cannot read: The recording is too short (2.0 s)")


def test_a_file_that_is_not_an_ecg_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not an ECG")
    assert main(["ecg", "analyze", str(path)]) == 2
    assert capsys.readouterr().err.startswith("refused: ")
    assert main(["ecg", "analyze", str(tmp_path / "missing.hea")]) == 2


@needs_data
def test_render_draws_the_standard_grid(tmp_path: Path) -> None:
    out = tmp_path / "ludb1.svg"
    result = subprocess.run(
        [str(SCRIPT), "ecg", "render", str(LUDB_1), "-o", str(out)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    svg = out.read_text()
    assert svg.startswith("<svg")
    assert "aVF" in svg
