"""Measurements from median beats: intervals, QTc, axes, amplitudes, ST levels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hybridmd.engines.ecg.analysis.delineation import delineate
from hybridmd.engines.ecg.analysis.measurements import (
    frontal_axis,
    measure,
    qtc_bazett,
    qtc_fridericia,
)
from hybridmd.engines.ecg.analysis.tests.waveforms import bump
from hybridmd.engines.ecg.analysis.waves import WaveMarks

FS = 500.0


def median_beat(*, st_mv: float = 0.0, q: float = -0.1, r: float = 1.2, s: float = -0.3):
    """One beat, R at index 250 (0.5 s at 500 Hz); ST level ``st_mv`` from J to T."""
    t = np.arange(651) / FS - 0.5
    y = bump(t, -0.200, -0.100, 0.15)
    y += bump(t, -0.040, -0.016, q) + bump(t, -0.020, 0.020, r) + bump(t, 0.016, 0.040, s)
    y += bump(t, 0.140, 0.340, 0.35)
    if st_mv:
        # Elevation from the J point, returning to baseline over the T wave.
        plateau = (t >= 0.040) & (t <= 0.140)
        fade = (t > 0.140) & (t <= 0.340)
        y[plateau] += st_mv
        y[fade] += st_mv * (0.340 - t[fade]) / 0.200
    return y


MARKS = WaveMarks(p_on=150, p_peak=175, p_off=200, qrs_on=230, qrs_off=270, t_peak=370, t_off=420)


def test_qtc_formulas():
    assert qtc_bazett(400.0, 1000.0) == pytest.approx(400.0)
    assert qtc_bazett(400.0, 640.0) == pytest.approx(500.0)  # sqrt(0.64) = 0.8
    assert qtc_fridericia(400.0, 512.0) == pytest.approx(500.0)  # cbrt(0.512) = 0.8
    assert qtc_fridericia(360.0, 1331.0) == pytest.approx(360.0 / 1.1)


def test_intervals_come_straight_from_the_marks():
    beats = {"II": median_beat()}
    m = measure(beats, 250, FS, MARKS, rr_ms=640.0)
    assert m.pr_ms == pytest.approx(160.0)  # (230 - 150) / 500 s
    assert m.qrs_ms == pytest.approx(80.0)
    assert m.qt_ms == pytest.approx(380.0)
    assert m.qtc_bazett_ms == pytest.approx(380.0 / 0.8)
    assert m.qtc_fridericia_ms == pytest.approx(380.0 / 0.64 ** (1 / 3))
    assert m.rr_ms == 640.0


def test_missing_waves_give_none():
    beats = {"II": median_beat()}
    no_p = WaveMarks(qrs_on=230, qrs_off=270, t_peak=370, t_off=420)
    m = measure(beats, 250, FS, no_p, rr_ms=800.0)
    assert m.pr_ms is None
    assert m.p_axis_deg is None
    assert m.leads["II"].p_amp_mv is None
    no_t = WaveMarks(p_on=150, p_peak=175, p_off=200, qrs_on=230, qrs_off=270)
    m = measure(beats, 250, FS, no_t, rr_ms=None)
    assert m.qt_ms is None
    assert m.qtc_bazett_ms is None
    assert m.leads["II"].t_amp_mv is None
    empty = measure(beats, 250, FS, WaveMarks(), rr_ms=700.0)
    assert empty.qrs_ms is None
    assert empty.leads == {}
    assert empty.rr_ms == 700.0


def test_lead_amplitudes_of_a_known_qrs():
    beats = {"II": median_beat(q=-0.1, r=1.2, s=-0.3)}
    lead = measure(beats, 250, FS, MARKS, rr_ms=1000.0).leads["II"]
    assert lead.r_amp_mv == pytest.approx(1.2, abs=0.02)
    assert lead.q_amp_mv == pytest.approx(-0.1, abs=0.03)
    assert lead.s_amp_mv == pytest.approx(-0.3, abs=0.05)
    assert lead.r_prime_amp_mv == 0.0
    assert lead.p_amp_mv == pytest.approx(0.15, abs=0.01)
    assert lead.t_amp_mv == pytest.approx(0.35, abs=0.01)
    assert lead.qrs_peak_to_peak_mv == pytest.approx(lead.r_amp_mv - lead.s_amp_mv, abs=0.05)
    assert lead.r_peak_time_ms == pytest.approx(40.0, abs=3)  # onset at -40 ms, R at 0
    assert 10 <= lead.q_duration_ms <= 30
    assert lead.st_j_mv == pytest.approx(0.0, abs=0.02)


def test_qs_complex_has_no_r():
    beats = {"V1": -median_beat(q=0.0, r=1.0, s=0.0)}
    lead = measure(beats, 250, FS, MARKS, rr_ms=1000.0).leads["V1"]
    assert lead.r_amp_mv == 0.0
    assert lead.r_peak_time_ms is None
    assert lead.q_amp_mv == pytest.approx(-1.0, abs=0.02)


def test_rsr_prime():
    t = np.arange(651) / FS - 0.5
    beat = bump(t, -0.03, 0.0, 0.5) + bump(t, 0.0, 0.03, -0.4) + bump(t, 0.03, 0.07, 0.8)
    marks = WaveMarks(qrs_on=235, qrs_off=286)
    lead = measure({"V1": beat}, 250, FS, marks, rr_ms=1000.0).leads["V1"]
    assert lead.r_prime_amp_mv == pytest.approx(0.8, abs=0.02)
    assert lead.r_amp_mv == pytest.approx(0.8, abs=0.02)  # the tallest positive deflection
    assert lead.s_amp_mv == pytest.approx(-0.4, abs=0.03)


@pytest.mark.parametrize("st_mv", [0.0, 0.2, -0.15])
def test_st_at_j60_from_a_known_elevation(st_mv):
    beats = {"V2": median_beat(st_mv=st_mv)}
    lead = measure(beats, 250, FS, MARKS, rr_ms=1000.0).leads["V2"]
    assert lead.st_j60_mv == pytest.approx(st_mv, abs=0.02)
    assert lead.st_j_mv == pytest.approx(st_mv, abs=0.02)


def test_st_elevation_survives_the_whole_pipeline():
    """Delineate a 10 s recording of the ST-elevated beat, then read ST at J+60."""
    t = np.arange(5000) / FS
    beat_times = np.arange(651) / FS - 0.5
    signal = np.sum(
        [
            np.interp(t - r, beat_times, median_beat(st_mv=0.2), left=0, right=0)
            for r in np.arange(0.6, 9.6, 1.0)
        ],
        axis=0,
    )
    r_peaks = np.round(np.arange(0.6, 9.6, 1.0) * FS).astype(np.int64)
    result = delineate({"V2": signal}, FS, r_peaks)
    lead = result.measurements.leads["V2"]
    assert lead.st_j60_mv == pytest.approx(0.2, abs=0.05)


def limb_leads(angle_deg: float, beat: np.ndarray) -> dict[str, np.ndarray]:
    """Six limb leads of a heart vector pointing at ``angle_deg`` with QRS shape ``beat``:
    I and II are projections on 0 and 60 degrees, the others follow Einthoven and
    Goldberger (III = II - I, aVR = -(I + II)/2, aVL = I - II/2, aVF = II - I/2)."""
    theta = math.radians(angle_deg)
    lead_i = beat * math.cos(theta)
    lead_ii = beat * math.cos(theta - math.pi / 3)
    return {
        "I": lead_i,
        "II": lead_ii,
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2,
        "aVL": lead_i - lead_ii / 2,
        "aVF": lead_ii - lead_i / 2,
    }


@pytest.mark.parametrize("angle", [-90, -45, 0, 30, 60, 90, 120, 179, -150])
def test_qrs_axis_of_a_known_frontal_vector(angle):
    t = np.arange(651) / FS - 0.5
    qrs = bump(t, -0.04, 0.04, 1.0)
    leads = limb_leads(angle, qrs)
    axis = frontal_axis(leads, 230, 270, FS)
    assert axis is not None
    difference = (axis - angle + 180) % 360 - 180
    assert abs(difference) <= 1.0
    assert -180 < axis <= 180


@pytest.mark.parametrize("angle", [-60, 0, 75, 150])
def test_axes_through_the_whole_pipeline(angle):
    """12 leads (precordials added) built from one frontal vector, delineated end to end:
    the QRS axis within +-10 degrees, and P and T axes follow their own vectors."""
    t = np.arange(int(10 * FS)) / FS
    r_times = np.arange(0.6, 9.6, 0.9)
    qrs = np.sum(
        [bump(t - r, -0.04, 0.04, 1.5) - bump(t - r, 0.02, 0.05, 0.2) for r in r_times], axis=0
    )
    p = np.sum([bump(t - r, -0.20, -0.10, 0.15) for r in r_times], axis=0)
    tw = np.sum([bump(t - r, 0.14, 0.34, 0.4) for r in r_times], axis=0)
    leads = limb_leads(angle, qrs)
    p_leads = limb_leads(50.0, p)
    t_leads = limb_leads(40.0, tw)
    twelve = {name: leads[name] + p_leads[name] + t_leads[name] for name in leads}
    for k, name in enumerate(("V1", "V2", "V3", "V4", "V5", "V6")):
        twelve[name] = qrs * (k - 2) * 0.4 + tw * 0.5 + p * 0.3
    r_peaks = np.round(r_times * FS).astype(np.int64)
    m = delineate(twelve, FS, r_peaks).measurements
    assert m.qrs_axis_deg is not None
    assert abs((m.qrs_axis_deg - angle + 180) % 360 - 180) <= 10
    assert m.p_axis_deg is not None
    assert abs(m.p_axis_deg - 50.0) <= 15
    assert m.t_axis_deg is not None
    assert abs(m.t_axis_deg - 40.0) <= 15


def test_axis_from_derived_leads_and_missing_leads():
    t = np.arange(651) / FS - 0.5
    leads = limb_leads(75.0, bump(t, -0.04, 0.04, 1.0))
    only_ii_iii = {"II": leads["II"], "III": leads["III"]}
    axis = frontal_axis(only_ii_iii, 230, 270, FS)
    assert axis == pytest.approx(75.0, abs=1.0)
    assert frontal_axis({"V1": leads["I"]}, 230, 270, FS) is None
    assert frontal_axis({"I": leads["I"] * 0, "aVF": leads["aVF"] * 0}, 230, 270, FS) is None
