"""Write an ECG as a DICOM waveform object, rebuilt from samples alone (no patient identity)."""

from __future__ import annotations

import io
import math
import re

import numpy as np
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian, generate_uid

from hybridmd.engines.ecg.io.wfdb_write import digitise
from hybridmd.engines.ecg.leads import LEAD_CODE_NUMBERS, is_standard_12
from hybridmd.engines.ecg.model import ECG

TWELVE_LEAD_ECG = "1.2.840.10008.5.1.4.1.1.9.1.1"
GENERAL_ECG = "1.2.840.10008.5.1.4.1.1.9.1.2"
AMBULATORY_ECG = "1.2.840.10008.5.1.4.1.1.9.1.3"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def choose_sop_class(ecg: ECG) -> str:
    """12-lead when it is one (≤13 channels, 200–1000 Hz, ≤16,384 samples as PS3.3 requires);
    Ambulatory below 200 Hz (its IOD allows 50 Hz); General ECG otherwise."""
    if (
        is_standard_12(ecg.lead_names)
        and len(ecg.leads) <= 13
        and 200 <= ecg.fs <= 1000
        and ecg.n_samples <= 16384
        and ecg.duration_s <= 16
    ):
        return TWELVE_LEAD_ECG
    if ecg.fs < 200 and len(ecg.leads) <= 12:
        return AMBULATORY_ECG
    return GENERAL_ECG


def write_dicom_waveform(
    ecg: ECG,
    *,
    study_uid: str | None = None,
    series_uid: str | None = None,
    sop_uid: str | None = None,
) -> bytes:
    sop_class = UID(choose_sop_class(ecg))
    instance = UID(sop_uid or generate_uid())
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = instance
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID

    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = instance
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.Modality = "ECG"
    for keyword in (
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        "StudyDate",
        "StudyTime",
        "StudyID",
        "AccessionNumber",
        "ReferringPhysicianName",
        "Manufacturer",
    ):
        setattr(ds, keyword, "")
    ds.SeriesNumber = None
    ds.InstanceNumber = 1
    start = ecg.start
    ds.ContentDate = f"{start:%Y%m%d}" if start else ""
    ds.ContentTime = f"{start:%H%M%S}" if start else ""
    ds.AcquisitionDateTime = f"{start:%Y%m%d%H%M%S}" if start else ""
    ds.AcquisitionContextSequence = Sequence([])
    ds.WaveformSequence = Sequence([_multiplex_group(ecg)])

    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _multiplex_group(ecg: ECG) -> Dataset:
    group = Dataset()
    group.MultiplexGroupTimeOffset = "0"
    group.WaveformOriginality = "ORIGINAL"
    group.NumberOfWaveformChannels = len(ecg.leads)
    group.NumberOfWaveformSamples = ecg.n_samples
    group.SamplingFrequency = f"{ecg.fs:.10g}"
    group.MultiplexGroupLabel = "RHYTHM"
    definitions = []
    columns = []
    for name, values in ecg.leads.items():
        gain, digital = digitise(values)
        sensitivity = f"{1000.0 / gain:.10g}"  # µV per count
        definitions.append(_channel(name, sensitivity, ecg.source_meta))
        columns.append(digital)
    group.ChannelDefinitionSequence = Sequence(definitions)
    group.WaveformBitsAllocated = 16
    group.WaveformSampleInterpretation = "SS"
    group.WaveformData = np.column_stack(columns).astype("<i2").tobytes(order="C")
    return group


def _channel(name: str, sensitivity: str, meta: dict[str, str]) -> Dataset:
    number = LEAD_CODE_NUMBERS.get(name)
    source = Dataset()
    source.CodeValue = f"5.6.3-9-{number if number is not None else 0}"
    source.CodingSchemeDesignator = "SCPECG"
    source.CodingSchemeVersion = "1.3"
    source.CodeMeaning = f"Lead {name}" if number is not None else "Unspecified lead"
    units = Dataset()
    units.CodeValue = "uV"
    units.CodingSchemeDesignator = "UCUM"
    units.CodingSchemeVersion = "1.4"
    units.CodeMeaning = "microvolt"
    channel = Dataset()
    channel.ChannelLabel = _CONTROL.sub("", name)[:16]
    channel.ChannelSourceSequence = Sequence([source])
    channel.ChannelSensitivity = sensitivity
    channel.ChannelSensitivityUnitsSequence = Sequence([units])
    channel.ChannelSensitivityCorrectionFactor = "1"
    channel.ChannelBaseline = "0"
    channel.ChannelSampleSkew = "0"
    channel.WaveformBitsStored = 16
    for keyword, key in (
        ("FilterLowFrequency", "filter_low_hz"),
        ("FilterHighFrequency", "filter_high_hz"),
        ("NotchFilterFrequency", "notch_hz"),
    ):
        value = _decimal(meta.get(key, ""))
        if value is not None:
            setattr(channel, keyword, value)
    return channel


def _decimal(text: str) -> str | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return f"{number:.8g}" if math.isfinite(number) and abs(number) < 1e9 else None
