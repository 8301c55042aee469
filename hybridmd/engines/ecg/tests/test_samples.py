"""Every real ECG sample under ../shared/data/ecg loads and matches what its header says."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from defusedxml import ElementTree as SafeET

from hybridmd.engines.ecg import STANDARD_12, ECGReadError, read_ecg

from .samples import (
    ECG_DATA,
    HAVE_DATA,
    MISSING_REASON,
    files_of,
    header_claims,
    load,
    load_single,
    wfdb_records,
)

if not HAVE_DATA:
    pytest.skip(MISSING_REASON, allow_module_level=True)

# Real records that are refused on purpose, and the words the refusal must contain.
REFUSED = {
    # Three isolated invalid samples (WFDB -2048) in lead II: scattered gaps are refused.
    "challenge2015_alarms/v102s": "Lead II has 3 missing or invalid samples",
}


@pytest.mark.parametrize("record", wfdb_records())
def test_wfdb_record_matches_its_header(record: str) -> None:
    folder, stem = record.split("/")
    n_signals, fs, n_samples, voltage = header_claims(folder, stem)
    if record in REFUSED:
        with pytest.raises(ECGReadError, match=REFUSED[record]):
            read_ecg(files_of(folder, stem))
        return
    ecg = load(record)
    assert len(ecg.leads) == voltage
    assert ecg.fs == fs
    assert ecg.n_samples == n_samples
    assert ecg.duration_s == pytest.approx(n_samples / fs)
    if voltage < n_signals:
        assert "dropped_signals" in ecg.source_meta


def test_every_sample_folder_was_found() -> None:
    folders = {record.split("/")[0] for record in wfdb_records()}
    assert folders >= {
        "challenge2015_alarms",
        "cinc2017_af",
        "cinc2021_12lead",
        "cpsc2021_af",
        "ludb_12lead_delineation",
        "mitdb",
        "ptbdb_12lead",
        "ptbxl_12lead",
        "svdb",
    }
    assert len([r for r in wfdb_records() if r.startswith("cinc2017_af/")]) == 300


def test_dicom_waveform_matches_its_attributes() -> None:
    ds = pydicom.dcmread(ECG_DATA / "dicom_hl7" / "waveform_ecg.dcm")
    rhythm = ds.WaveformSequence[0]
    ecg = load_single("dicom_hl7/waveform_ecg.dcm")
    assert len(ecg.leads) == rhythm.NumberOfWaveformChannels == 12
    assert ecg.fs == float(rhythm.SamplingFrequency)
    assert ecg.n_samples == rhythm.NumberOfWaveformSamples
    assert ecg.lead_names == STANDARD_12
    assert ecg.source_meta["format_detail"] == "12-lead ECG Waveform Storage"


def test_hl7_aecg_matches_its_xml() -> None:
    path = ECG_DATA / "dicom_hl7" / "ecg_hl7_aecg_example.xml"
    ns = "{urn:hl7-org:v3}"
    root = SafeET.fromstring(path.read_bytes(), forbid_dtd=True)
    sequence_set = root.find(f"{ns}component/{ns}series/{ns}component/{ns}sequenceSet")
    leads = [
        seq
        for seq in sequence_set.iterfind(f"{ns}component/{ns}sequence")
        if seq.find(f"{ns}code").get("code").startswith("MDC_ECG_LEAD_")
    ]
    increment = float(sequence_set.find(f".//{ns}increment").get("value"))
    n_samples = len(leads[0].find(f".//{ns}digits").text.split())
    ecg = load_single("dicom_hl7/ecg_hl7_aecg_example.xml")
    assert len(ecg.leads) == len(leads) == 12
    assert ecg.fs == pytest.approx(1 / increment)
    assert ecg.n_samples == n_samples
    assert set(ecg.lead_names) == set(STANDARD_12)


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (ECG_DATA / "ecg_images").glob("*") if p.suffix in {".png", ".jpg"}),
)
def test_ecg_printout_images_are_refused(name: str) -> None:
    data = (ECG_DATA / "ecg_images" / name).read_bytes()
    with pytest.raises(ECGReadError) as caught:
        read_ecg({name: data})
    message = str(caught.value)
    assert "picture of an ECG, not a recorded signal" in message
    assert name in message


NOT_RECORDS = sorted(
    f"{p.parent.name}/{p.name}"
    for p in ECG_DATA.glob("*/*")
    if p.is_file()
    and p.suffix not in {".hea", ".dat", ".mat", ".dcm", ".xml", ".png", ".jpg"}
    and not (p.parent.name == "ptbdb_12lead" and p.suffix == ".xyz")
)


@pytest.mark.parametrize("relative", NOT_RECORDS)
def test_annotation_and_metadata_files_are_not_records(relative: str) -> None:
    path = ECG_DATA / relative
    with pytest.raises(ECGReadError):
        read_ecg({path.name: path.read_bytes()})


@pytest.mark.parametrize(
    "record",
    [
        "mitdb/100",
        "svdb/800",
        "ludb_12lead_delineation/1",
        "cpsc2021_af/data_101_6",
        "ptbdb_12lead/s0010_re",
        "cinc2021_12lead/E07500",
        "challenge2015_alarms/a103l",
    ],
)
def test_samples_equal_wfdb_reading_the_original_files(record: str, tmp_path) -> None:
    import wfdb  # noqa: PLC0415

    folder, stem = record.split("/")
    for name, data in files_of(folder, stem).items():
        (tmp_path / name).write_bytes(data)
    reference = wfdb.rdrecord(str(tmp_path / stem), return_res=64)
    ecg = load(record)
    for index in range(len(reference.sig_name)):
        if reference.units[index] != "mV":
            continue
        ours = ecg.leads[ecg.lead_names[index]]
        np.testing.assert_allclose(ours, reference.p_signal[:, index], rtol=0, atol=1e-12)


def test_quirky_headers_load() -> None:
    # wfdb-python's test copy of 100.hea: leading comment, mixed LF/CRLF, a CR-only line.
    mit = load("mitdb/100")
    assert mit.lead_names == ("MLII", "V5")
    assert "Aldomet, Inderal" in mit.source_meta["header_comments"]
    # CinC 2017: "YYYY-MM-DD HH:MM:SS" after the sample count, which wfdb 4.3.1 rejects.
    cinc = load("cinc2017_af/A00001")
    assert cinc.start is not None
    assert cinc.start.isoformat() == "2014-05-08T05:05:15"
    # SVDB names both leads "ECG"; names stay unique.
    assert load("svdb/800").lead_names == ("ECG", "ECG (2)")
    # Challenge 2015: PLETH in NU is not an ECG lead.
    assert load("challenge2015_alarms/a103l").lead_names == ("II", "V")
    # PTB: 12 leads in .dat plus Frank leads in .xyz, lower-case labels.
    assert load("ptbdb_12lead/s0010_re").lead_names[:12] == STANDARD_12
