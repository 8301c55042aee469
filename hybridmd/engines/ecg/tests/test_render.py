"""SVG rendering: layout, paper, calibration, size and safety."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from defusedxml import ElementTree as SafeET

from hybridmd.engines.ecg import ECG, render_12lead_svg, render_strips_svg, render_svg

from .samples import HAVE_DATA, MISSING_REASON, load, load_single
from .synthetic import make_ecg, twelve_lead

SVG = "{http://www.w3.org/2000/svg}"
needs_samples = pytest.mark.skipif(not HAVE_DATA, reason=MISSING_REASON)


def parse(svg: str) -> Any:
    return SafeET.fromstring(svg)


def lead_groups(root: Any) -> list[Any]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "lead"]


def check_12lead(svg: str) -> Any:
    root = parse(svg)
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("data-mm-per-s") == "25"
    assert root.get("data-mm-per-mv") == "10"
    groups = lead_groups(root)
    labels = [g.find(f"{SVG}text").text for g in groups]
    assert labels == [
        "I",
        "aVR",
        "V1",
        "V4",
        "II",
        "aVL",
        "V2",
        "V5",
        "III",
        "aVF",
        "V3",
        "V6",
        "II",
    ]
    rhythm = root.find(f".//{SVG}g[@id='rhythm-II']")
    assert rhythm is not None
    assert rhythm.get("data-t1") == "10"
    for lead in ("I", "aVR", "V6"):
        assert root.find(f".//{SVG}g[@id='lead-{lead}']") is not None
    calibrations = [p for p in root.iter(f"{SVG}path") if p.get("class") == "calibration"]
    assert len(calibrations) == 4
    for path in calibrations:
        assert path.get("data-mv") == "1"
        assert path.get("data-ms") == "200"
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        # M2 b H5 V b-10 H10 V b H13: 10 mm high (1 mV), 5 mm wide (200 ms)
        assert numbers[1] - numbers[3] == pytest.approx(10.0)
        assert numbers[4] - numbers[2] == pytest.approx(5.0)
    grid = root.find(f".//{SVG}g[@id='grid']")
    assert {p.get("class") for p in grid} == {"minor", "major"}
    assert "<script" not in svg.lower()
    assert "onload" not in svg.lower()
    return root


@needs_samples
def test_12lead_svg_of_the_dicom_sample() -> None:
    ecg = load_single("dicom_hl7/waveform_ecg.dcm")
    svg = render_svg(ecg)
    root = check_12lead(svg)
    assert root.get("data-layout") == "12-lead"
    assert len(svg.encode()) < 400_000  # 1000 Hz, decimated per 0.1 mm column
    points = root.find(f".//{SVG}g[@id='rhythm-II']/{SVG}polyline").get("points").split()
    assert 4000 <= len(points) <= 5000
    assert all(re.fullmatch(r"-?\d+(\.\d{1,2})?,-?\d+(\.\d{1,2})?", p) for p in points[:200])
    assert render_svg(ecg) == svg  # deterministic


@needs_samples
def test_12lead_svg_of_a_500hz_record_is_not_decimated_and_small() -> None:
    ecg = load("ludb_12lead_delineation/1")
    svg = render_12lead_svg(ecg)
    check_12lead(svg)
    assert len(svg.encode()) < 400_000
    rhythm = parse(svg).find(f".//{SVG}g[@id='rhythm-II']/{SVG}polyline")
    assert len(rhythm.get("points").split()) == 5000


@needs_samples
def test_strips_for_a_two_lead_mitbih_record() -> None:
    ecg = load("mitdb/100")
    svg = render_svg(ecg)
    root = parse(svg)
    assert root.get("data-layout") == "strips"
    note = root.find(f".//{SVG}text[@id='strip-note']")
    assert note.get("data-truncated") == "true"
    assert "Showing the first 1:00 of 30:06" in note.text
    rows = [g for g in root.iter(f"{SVG}g") if g.get("class") == "strip-row"]
    assert len(rows) == 6
    times = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "time"]
    assert times == ["00:00", "00:10", "00:20", "00:30", "00:40", "00:50"]
    assert {g.get("data-lead") for g in lead_groups(root)} == {"MLII", "V5"}
    short = render_strips_svg(ecg, leads=["V5"], seconds_per_row=5, max_seconds=12)
    short_root = parse(short)
    assert len(lead_groups(short_root)) == 3
    assert [g.get("data-t1") for g in lead_groups(short_root)] == ["5", "10", "12"]


def test_strips_show_hours_for_long_offsets() -> None:
    ecg = make_ecg(("ECG",), fs=50.0, seconds=3700.0)
    svg = render_strips_svg(ecg, seconds_per_row=60, max_seconds=3700)
    times = [t.text for t in parse(svg).iter(f"{SVG}text") if t.get("class") == "time"]
    assert times[-1] == "1:01:00"
    assert parse(svg).find(f".//{SVG}text[@id='strip-note']").get("data-truncated") == "false"


def test_render_svg_picks_layout() -> None:
    assert 'data-layout="12-lead"' in render_svg(twelve_lead(fs=500.0, seconds=10.0))
    assert 'data-layout="strips"' in render_svg(make_ecg(("I", "II")))


def test_short_12lead_record_draws_what_exists() -> None:
    check_12lead(render_12lead_svg(twelve_lead(fs=250.0, seconds=4.0)))


def test_hostile_lead_names_are_escaped() -> None:
    hostile = '<script>alert(1)</script>"&\x01'
    ecg = ECG(leads={hostile: np.zeros(500), "II": np.zeros(500)}, fs=250.0)
    svg = render_svg(ecg)
    root = parse(svg)
    assert "<script>" not in svg
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert '<script>alert(1)</script>"&' in texts
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)


def test_bad_arguments() -> None:
    ecg = make_ecg(("I", "II"))
    with pytest.raises(ValueError, match="not in this recording"):
        render_strips_svg(ecg, leads=["V1"])
    with pytest.raises(ValueError, match="seconds_per_row"):
        render_strips_svg(ecg, seconds_per_row=0)
    with pytest.raises(ValueError, match="needs leads"):
        render_12lead_svg(ecg)
