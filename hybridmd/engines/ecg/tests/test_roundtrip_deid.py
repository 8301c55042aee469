"""Writers round-trip through read_ecg; de-identification rebuilds the recording."""

from __future__ import annotations

import io
from datetime import datetime

import numpy as np
import pydicom
import pytest

from hybridmd.engines.ecg import (
    ECG,
    deidentify_ecg,
    read_ecg,
    write_dicom_waveform,
    write_wfdb,
)

from .samples import HAVE_DATA, MISSING_REASON, load, load_single
from .synthetic import make_ecg, twelve_lead

needs_samples = pytest.mark.skipif(not HAVE_DATA, reason=MISSING_REASON)


def assert_same(back: ECG, original: ECG, *, tolerance_mv: float) -> None:
    assert back.lead_names == original.lead_names
    assert back.fs == original.fs
    assert back.n_samples == original.n_samples
    for name in original.leads:
        assert np.max(np.abs(back.leads[name] - original.leads[name])) <= tolerance_mv + 1e-12


@pytest.mark.parametrize(
    "ecg",
    [
        make_ecg(("I", "II"), fs=500.0, start=datetime(2021, 3, 4, 5, 6, 7)),
        twelve_lead(fs=1000.0, seconds=3.0),
        make_ecg(("MLII", "V5", "ECG (2)"), fs=360.0, seconds=5.0),
        make_ecg(("ECG",), fs=128.0, seconds=3.0),
    ],
)
def test_wfdb_and_dicom_writers_round_trip(ecg: ECG) -> None:
    files = write_wfdb(ecg, "rt")
    assert set(files) == {"rt.hea", "rt.dat"}
    back = read_ecg(files)
    assert_same(back, ecg, tolerance_mv=0.0005)  # 1 µV steps: within half a step
    assert back.start == ecg.start
    assert_same(read_ecg({"rt.dcm": write_dicom_waveform(ecg)}), ecg, tolerance_mv=0.0005)


def test_written_wfdb_is_readable_by_wfdb_itself(tmp_path) -> None:
    import wfdb  # noqa: PLC0415

    ecg = make_ecg(("I", "II"), fs=250.0)
    for name, data in write_wfdb(ecg, "own").items():
        (tmp_path / name).write_bytes(data)
    record = wfdb.rdrecord(str(tmp_path / "own"), return_res=64)
    assert record.sig_name == ["I", "II"]
    np.testing.assert_allclose(record.p_signal[:, 0], ecg.leads["I"], atol=0.0005)


def test_write_wfdb_refuses_unsafe_record_names() -> None:
    with pytest.raises(ValueError, match="record name"):
        write_wfdb(make_ecg(), "../evil")


@needs_samples
@pytest.mark.parametrize(
    "source", ["mitdb/100", "ludb_12lead_delineation/8", "ptbxl_12lead/00001_lr"]
)
def test_real_records_round_trip(source: str) -> None:
    ecg = load(source)
    assert_same(read_ecg(write_wfdb(ecg, "rt")), ecg, tolerance_mv=0.0005)
    assert_same(read_ecg({"x.dcm": write_dicom_waveform(ecg)}), ecg, tolerance_mv=0.0005)


@needs_samples
def test_deidentified_dicom_keeps_nothing_of_the_original() -> None:
    original = load_single("dicom_hl7/waveform_ecg.dcm")
    clean, report = deidentify_ecg(original)
    assert clean.start is None
    assert set(clean.source_meta) <= {
        "format",
        "format_detail",
        "lead_labels",
        "units",
        "manufacturer",
        "device_model",
        "filter_low_hz",
        "filter_high_hz",
        "multiplex_label",
    }
    data = write_dicom_waveform(clean, study_uid="1.2.3", series_uid="1.2.3.4", sop_uid="1.2.3.5")
    for identifying in (
        b"642341",
        b"Galliera",
        b"Anonymous",
        b"19710123",
        b"03028041970546",
        b"20130125",
        b"RITMO",
        b"Mortara",
    ):
        assert identifying not in data
    ds = pydicom.dcmread(io.BytesIO(data))
    assert not [el for el in ds if el.tag.is_private]
    wheres = {change.where for change in report.changes}
    assert "ECG source metadata: patient_id" in wheres
    assert "ECG recording start date and time" in wheres
    report_text = repr(report.as_dict())
    for value in ("642341", "Galliera", "Anonymous", "1971", "RITMO"):
        assert value not in report_text
    assert_same(read_ecg({"x.dcm": data}), clean, tolerance_mv=0.0005)


@needs_samples
def test_deidentified_wfdb_drops_header_comments() -> None:
    original = load("ptbdb_12lead/s0010_re")
    assert "Myocardial infarction" in original.source_meta["header_comments"]
    clean, report = deidentify_ecg(original)
    files = write_wfdb(clean, "anon")
    assert b"#" not in files["anon.hea"]
    assert b"infarction" not in files["anon.hea"]
    assert "header_comments" not in clean.source_meta
    assert report.needs_confirmation
    assert "Myocardial" not in repr(report.as_dict())


def test_deid_flags_unusual_lead_labels_without_quoting_them() -> None:
    ecg = make_ecg(("I", "Kim Minsu"), meta={"format": "CSV"})
    clean, report = deidentify_ecg(ecg)
    assert report.risks
    assert "Kim" not in " ".join(report.risks)
    assert clean.lead_names == ("I", "Kim Minsu")


def test_deid_of_clean_recording_reports_nothing() -> None:
    clean, report = deidentify_ecg(make_ecg(("I", "II"), meta={"format": "WFDB"}))
    assert not report.needs_confirmation
    assert clean.source_meta == {"format": "WFDB"}
