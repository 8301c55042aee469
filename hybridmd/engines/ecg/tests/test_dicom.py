"""DICOM waveform reading and writing."""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from hybridmd.engines.ecg import ECGReadError, read_ecg, write_dicom_waveform
from hybridmd.engines.ecg.io.dicom_write import AMBULATORY_ECG, GENERAL_ECG, TWELVE_LEAD_ECG

from .synthetic import make_ecg, twelve_lead


def dcm(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def written() -> bytes:
    return write_dicom_waveform(twelve_lead(fs=500.0, seconds=2.0))


def test_twelve_lead_round_trip(written: bytes) -> None:
    original = twelve_lead(fs=500.0, seconds=2.0)
    ecg = read_ecg({"ecg.dcm": written})
    assert ecg.lead_names == original.lead_names
    assert ecg.fs == 500.0
    for name in original.leads:
        # 1 µV per count: within half a count
        assert np.max(np.abs(ecg.leads[name] - original.leads[name])) <= 0.0005 + 1e-12
    ds = pydicom.dcmread(io.BytesIO(written))
    assert ds.SOPClassUID == TWELVE_LEAD_ECG
    assert ds.file_meta.MediaStorageSOPClassUID == TWELVE_LEAD_ECG
    source = ds.WaveformSequence[0].ChannelDefinitionSequence[0].ChannelSourceSequence[0]
    assert (source.CodeValue, source.CodingSchemeDesignator) == ("5.6.3-9-1", "SCPECG")
    third = ds.WaveformSequence[0].ChannelDefinitionSequence[2].ChannelSourceSequence[0]
    assert third.CodeValue == "5.6.3-9-61"
    assert ds.WaveformSequence[0].WaveformSampleInterpretation == "SS"
    assert str(ds.PatientName) == ""
    assert ds.PatientID == ""


def test_uids_are_used_when_given() -> None:
    data = write_dicom_waveform(
        make_ecg(), study_uid="1.2.3.4", series_uid="1.2.3.4.5", sop_uid="1.2.3.4.5.6"
    )
    ds = pydicom.dcmread(io.BytesIO(data))
    assert (ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID) == (
        "1.2.3.4",
        "1.2.3.4.5",
        "1.2.3.4.5.6",
    )


@pytest.mark.parametrize(
    ("ecg", "sop"),
    [
        (twelve_lead(fs=1000.0, seconds=10.0), TWELVE_LEAD_ECG),
        (twelve_lead(fs=1000.0, seconds=17.0), GENERAL_ECG),
        (twelve_lead(fs=2000.0, seconds=2.0), GENERAL_ECG),
        (make_ecg(("MLII", "V5"), fs=360.0, seconds=30.0), GENERAL_ECG),
        (make_ecg(("ECG",), fs=128.0, seconds=5.0), AMBULATORY_ECG),
    ],
)
def test_sop_class_choice_and_round_trip(ecg, sop: str) -> None:
    data = write_dicom_waveform(ecg)
    assert pydicom.dcmread(io.BytesIO(data)).SOPClassUID == sop
    back = read_ecg({"x.dcm": data})
    assert back.lead_names == ecg.lead_names
    assert back.fs == ecg.fs
    assert back.n_samples == ecg.n_samples


def test_large_amplitudes_get_a_coarser_sensitivity() -> None:
    ecg = make_ecg(("I",), seconds=1.0)
    big = type(ecg)(leads={"I": ecg.leads["I"] * 30}, fs=ecg.fs)
    back = read_ecg({"x.dcm": write_dicom_waveform(big)})
    sensitivity_mv = float(np.max(np.abs(big.leads["I"]))) / 32766
    assert np.max(np.abs(back.leads["I"] - big.leads["I"])) <= sensitivity_mv


def test_truncated_dicom_is_refused(written: bytes) -> None:
    with pytest.raises(ECGReadError, match=r"damaged or incomplete|truncated"):
        read_ecg({"x.dcm": written[: len(written) // 2]})
    with pytest.raises(ECGReadError):
        read_ecg({"x.dcm": written[:140]})


def test_waveform_data_shorter_than_declared(written: bytes) -> None:
    ds = pydicom.dcmread(io.BytesIO(written))
    group = ds.WaveformSequence[0]
    group.WaveformData = group.WaveformData[: len(group.WaveformData) // 2]
    with pytest.raises(ECGReadError, match="truncated"):
        read_ecg({"x.dcm": dcm(ds)})


def test_huge_declared_sample_count_is_refused(written: bytes) -> None:
    ds = pydicom.dcmread(io.BytesIO(written))
    ds.WaveformSequence[0].NumberOfWaveformSamples = 4_000_000_000
    with pytest.raises(ECGReadError, match="limit"):
        read_ecg({"x.dcm": dcm(ds)})


def test_channel_count_mismatch(written: bytes) -> None:
    ds = pydicom.dcmread(io.BytesIO(written))
    ds.WaveformSequence[0].NumberOfWaveformChannels = 2
    with pytest.raises(ECGReadError, match="says 2 channels but defines 12"):
        read_ecg({"x.dcm": dcm(ds)})


def test_dicom_image_is_not_a_waveform() -> None:
    ds = Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = pydicom.uid.UID("1.2.840.10008.5.1.4.1.1.1")
    ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ds.Modality = "CR"
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 2, 2, 8, 8, 7
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = bytes(4)
    with pytest.raises(ECGReadError, match=r"DICOM image \(CR\), not an ECG waveform"):
        read_ecg({"x.dcm": dcm(ds)})


def test_deflated_dicom_is_refused(written: bytes) -> None:
    ds = pydicom.dcmread(io.BytesIO(written))
    ds.file_meta.TransferSyntaxUID = pydicom.uid.DeflatedExplicitVRLittleEndian
    with pytest.raises(ECGReadError, match="deflate-compressed"):
        read_ecg({"x.dcm": dcm(ds)})


def test_non_standard_lead_names_survive(written: bytes) -> None:
    ecg = make_ecg(("MLII", "ECG (2)", "V4R"), fs=250.0)
    back = read_ecg({"x.dcm": write_dicom_waveform(ecg)})
    assert back.lead_names == ("MLII", "ECG (2)", "V4R")


def test_millivolt_units_and_pressure_channels(written: bytes) -> None:
    ds = pydicom.dcmread(io.BytesIO(written))
    definitions = ds.WaveformSequence[0].ChannelDefinitionSequence
    definitions[0].ChannelSensitivity = "0.001"
    definitions[0].ChannelSensitivityUnitsSequence[0].CodeValue = "mV"
    definitions[1].ChannelSensitivityUnitsSequence[0].CodeValue = "mm[Hg]"
    back = read_ecg({"x.dcm": dcm(ds)})
    original = read_ecg({"x.dcm": written})
    np.testing.assert_allclose(back.leads["I"], original.leads["I"], atol=1e-12)
    assert "II" not in back.leads
    assert "mm[Hg]" in back.source_meta["dropped_signals"]
