from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.sr._concepts_dict import concepts as _concepts

from hybridmd.engines.ecg import ECG, ECGReadError, normalise_lead_name
from hybridmd.engines.ecg.leads import KNOWN_LEADS, LEAD_CODE_NUMBERS, STANDARD_12
from hybridmd.engines.ecg.limits import check_claims
from hybridmd.engines.ecg.model import build_ecg

from .synthetic import make_ecg


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("II", "II"),
        ("lead II", "II"),
        ("Lead I (Einthoven)", "I"),
        ("  i ", "I"),
        ("iii", "III"),
        ("AVR", "aVR"),
        ("avr", "aVR"),
        ("aVL", "aVL"),
        ("Lead aVF", "aVF"),
        ("aVR, augmented voltage, right", "aVR"),
        ("MDC_ECG_LEAD_AVR", "aVR"),
        ("MDC_ECG_LEAD_V1", "V1"),
        ("V 1", "V1"),
        ("v6", "V6"),
        ("lead_v3", "V3"),
        ("MLII", "MLII"),
        ("ML II", "MLII"),
        ("MLI", "MLI"),
        ("V", "V"),
        ("DII", "II"),
        ("V4R", "V4R"),
        ("ECG1", "ECG1"),
        ("ECG2", "ECG2"),
        ("ECG", "ECG"),
        ("-aVR", "-aVR"),
        ("−aVR", "−aVR"),
        ("I-II", "I-II"),
        (" PLETH ", "PLETH"),
        ("vx", "vx"),
        ("", ""),
    ],
)
def test_normalise_lead_name(raw: str, expected: str) -> None:
    assert normalise_lead_name(raw) == expected


@settings(max_examples=300, deadline=None, database=None)
@given(st.text())
def test_normalise_lead_name_never_raises_and_is_idempotent(raw: str) -> None:
    name = normalise_lead_name(raw)
    assert isinstance(name, str)
    assert normalise_lead_name(name) == name
    assert name in KNOWN_LEADS or name == raw.strip()


def test_lead_code_numbers_match_dicom_cid_3001() -> None:
    """SCPECG "5.6.3-9-n" and MDC "2:n" share n; check ours against pydicom's CID 3001."""
    concepts: Any = _concepts
    mdc = {
        meaning: code
        for entries in concepts["MDC"].values()
        for code, (meaning, cids) in entries.items()
        if 3001 in cids
    }
    meanings = {
        "aVR": "aVR, augmented voltage, right",
        "aVL": "aVL, augmented voltage, left",
        "aVF": "aVF, augmented voltage, foot",
    }
    for lead, number in LEAD_CODE_NUMBERS.items():
        assert mdc[meanings.get(lead, f"Lead {lead}")] == f"2:{number}", lead


def test_ecg_properties_and_read_only_samples() -> None:
    ecg = make_ecg(("I", "II", "V1"), fs=250.0, seconds=4.0)
    assert ecg.n_samples == 1000
    assert ecg.duration_s == 4.0
    assert ecg.lead_names == ("I", "II", "V1")
    assert all(a.dtype == np.float64 for a in ecg.leads.values())
    with pytest.raises(ValueError, match="read-only"):
        ecg.leads["I"][0] = 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"leads": {}}, "no ECG leads"),
        ({"leads": {"I": np.zeros(10), "II": np.zeros(9)}}, "different numbers of samples"),
        ({"leads": {"I": np.zeros(0)}}, "no samples"),
        ({"fs": math.nan}, "impossible"),
        ({"fs": 0.0}, "impossible"),
        ({"fs": -500.0}, "impossible"),
        ({"fs": 20.0}, "probably wrong"),
        ({"fs": 50_000.0}, "probably wrong"),
        ({"leads": {"I": np.zeros((10, 2))}}, "single series"),
    ],
)
def test_ecg_refuses_impossible_recordings(kwargs: dict, message: str) -> None:
    args = {"leads": {"I": np.zeros(1000)}, "fs": 500.0} | kwargs
    with pytest.raises(ECGReadError, match=message):
        ECG(**args)


def test_scattered_nan_and_inf_are_refused_naming_lead_and_count() -> None:
    values = np.zeros(1000)
    values[[3, 500]] = np.nan
    values[7] = np.inf
    with pytest.raises(ECGReadError) as caught:
        ECG(leads={"I": np.zeros(1000), "V2": values}, fs=500.0)
    assert str(caught.value).startswith("Lead V2 has 3 missing or invalid samples")


def test_absurd_amplitude_suggests_wrong_units() -> None:
    with pytest.raises(ECGReadError, match="units are probably wrong"):
        ECG(leads={"II": np.full(1000, 800.0)}, fs=500.0)


def test_size_limits_are_checked_from_claims() -> None:
    with pytest.raises(ECGReadError, match="limit is 24 hours"):
        check_claims(25 * 3600 * 250, 1, 250.0, source="The file")
    with pytest.raises(ECGReadError, match="limit is 50,000,000 samples"):
        check_claims(5_000_000, 12, 1000.0, source="The file")


def test_build_ecg_drops_empty_leads_and_keeps_names_unique() -> None:
    ok = np.linspace(-1, 1, 100)
    ecg = build_ecg(
        [("ECG", ok), ("ECG", ok * 2), ("avr", np.full(100, np.nan))],
        250.0,
        start=None,
        meta={"format": "test"},
    )
    assert ecg.lead_names == ("ECG", "ECG (2)")
    assert json.loads(ecg.source_meta["dropped_leads"]) == ["aVR"]
    assert json.loads(ecg.source_meta["lead_labels"]) == ["ECG", "ECG", "avr"]


def test_build_ecg_refuses_when_every_lead_is_empty() -> None:
    with pytest.raises(ECGReadError, match="Every lead"):
        build_ecg([("I", np.full(10, np.nan))], 250.0, start=None, meta={})


def test_standard_12_order() -> None:
    assert STANDARD_12[:6] == ("I", "II", "III", "aVR", "aVL", "aVF")
