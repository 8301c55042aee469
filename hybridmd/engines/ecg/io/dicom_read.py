"""DICOM waveform objects (12-lead, General, Ambulatory ECG and other waveform IODs)."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import UID

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io._common import check_fs_argument, mv_factor, parse_timestamp
from hybridmd.engines.ecg.leads import KNOWN_LEADS, LEAD_CODE_NUMBERS, normalise_lead_name
from hybridmd.engines.ecg.limits import FS_MAX_HZ, FS_MIN_HZ, check_claims
from hybridmd.engines.ecg.model import ECG, FloatArray, build_ecg

_DEFLATED = b"1.2.840.10008.1.2.1.99"
_SAMPLE_TYPES = {
    (8, "SB"),
    (8, "UB"),
    (16, "SS"),
    (16, "US"),
    (32, "SL"),
    (32, "UL"),
    (64, "SV"),
    (64, "UV"),
}
_LEAD_BY_NUMBER = {number: lead for lead, number in LEAD_CODE_NUMBERS.items()}
_CODE_NUMBER = re.compile(r"^(?:5\.6\.3-9-|2:)(\d+)$")

# source_meta key -> DICOM keyword; all of these are dropped by the de-identifier
# except manufacturer and device_model.
_META_FIELDS = {
    "manufacturer": "Manufacturer",
    "device_model": "ManufacturerModelName",
    "patient_name": "PatientName",
    "patient_id": "PatientID",
    "patient_birth_date": "PatientBirthDate",
    "patient_sex": "PatientSex",
    "patient_age": "PatientAge",
    "institution": "InstitutionName",
    "station": "StationName",
    "accession_number": "AccessionNumber",
    "study_date": "StudyDate",
    "referring_physician": "ReferringPhysicianName",
}


def read_dicom(name: str, data: bytes, *, fs: float | None) -> ECG:
    if _DEFLATED in data[:4096]:
        raise ECGReadError(
            f"{name} is a deflate-compressed DICOM file, which is not accepted; "
            f"please export it uncompressed."
        )
    try:
        ds = pydicom.dcmread(io.BytesIO(data))
        return _read_dataset(name, ds, fs)
    except ECGReadError:
        raise
    except Exception as exc:  # pydicom parses lazily and raises many types on bad data
        raise ECGReadError(
            f"{name} is a damaged or incomplete DICOM file ({type(exc).__name__})."
        ) from exc


def _read_dataset(name: str, ds: Dataset, fs: float | None) -> ECG:
    groups = ds.get("WaveformSequence")
    if not groups:
        if "PixelData" in ds:
            modality = str(ds.get("Modality", "") or "unknown modality")
            raise ECGReadError(f"{name} is a DICOM image ({modality}), not an ECG waveform.")
        raise ECGReadError(f"{name} is a DICOM file without any waveform.")
    index, group = _pick_group(name, groups)
    n_channels = int(group.NumberOfWaveformChannels)
    n_samples = int(group.NumberOfWaveformSamples)
    group_fs = float(group.SamplingFrequency)
    check_claims(n_samples, n_channels, group_fs, source=name)
    check_fs_argument(group_fs, fs, source=name)
    bits = int(group.get("WaveformBitsAllocated", 0))
    kind = str(group.get("WaveformSampleInterpretation", ""))
    if (bits, kind) not in _SAMPLE_TYPES:
        raise ECGReadError(
            f"{name} stores its waveform as {bits}-bit {kind!r} samples, which this site "
            f"does not read (µ-law/A-law audio encodings included)."
        )
    definitions = list(group.get("ChannelDefinitionSequence", []))
    if len(definitions) != n_channels:
        raise ECGReadError(
            f"The DICOM waveform says {n_channels} channels but defines {len(definitions)}."
        )
    raw = group.get("WaveformData") or b""
    held = len(raw) // max(n_channels * bits // 8, 1)
    if held < n_samples:
        raise ECGReadError(
            f"The DICOM waveform should hold {n_samples:,} samples per channel, but its data "
            f"stops after {held:,}: the file is truncated."
        )
    values = np.asarray(ds.waveform_array(index), dtype=np.float64)

    channels: list[tuple[str, FloatArray]] = []
    units: list[str] = []
    dropped: list[str] = []
    assumed = False
    for number, definition in enumerate(definitions):
        label = _channel_label(definition, number + 1)
        unit = _unit_code(definition)
        factor = mv_factor(unit) if unit else 1e-3
        assumed = assumed or not unit
        if factor is None:
            dropped.append(f"{label} ({unit})")
            continue
        channels.append((label, values[:, number] * factor))
        units.append(unit or "uV")
    if not channels:
        raise ECGReadError(
            f"{name} holds no ECG signal: none of its channels is in volts ({', '.join(dropped)})."
        )
    meta = _metadata(ds, group, definitions[0])
    meta["lead_labels"] = json.dumps([label for label, _ in channels], ensure_ascii=False)
    meta["units"] = json.dumps(units, ensure_ascii=False)
    if assumed:
        meta["units_note"] = "no channel sensitivity units in the file; microvolts assumed"
    if dropped:
        meta["dropped_signals"] = json.dumps(dropped, ensure_ascii=False)
    return build_ecg(channels, group_fs, start=_start(ds), meta=meta)


def _pick_group(name: str, groups: Any) -> tuple[int, Dataset]:
    """The first multiplex group with more than one channel at an ECG sampling rate."""
    usable: list[tuple[int, Dataset, int]] = []
    for index, group in enumerate(groups):
        try:
            n_channels = int(group.NumberOfWaveformChannels)
            rate = float(group.SamplingFrequency)
        except (AttributeError, TypeError, ValueError):
            continue
        if n_channels >= 1 and FS_MIN_HZ <= rate <= FS_MAX_HZ:
            usable.append((index, group, n_channels))
    if not usable:
        raise ECGReadError(f"{name} has no waveform sampled at an ECG rate (50 to 20,000 Hz).")
    index, group, _ = next((u for u in usable if u[2] > 1), usable[0])
    return index, group


def _channel_label(definition: Dataset, number: int) -> str:
    label = str(definition.get("ChannelLabel", "") or "").strip()
    sources = definition.get("ChannelSourceSequence") or []
    meaning, code = "", ""
    if sources:
        meaning = str(sources[0].get("CodeMeaning", "") or "").strip()
        code = str(sources[0].get("CodeValue", "") or "").strip()
    for candidate in (meaning, label):
        if candidate and normalise_lead_name(candidate) in KNOWN_LEADS:
            return candidate
    match = _CODE_NUMBER.match(code)
    if match and int(match[1]) in _LEAD_BY_NUMBER:
        return _LEAD_BY_NUMBER[int(match[1])]
    return label or meaning or f"Channel {number}"


def _unit_code(definition: Dataset) -> str:
    units = definition.get("ChannelSensitivityUnitsSequence") or []
    if not units:
        return ""
    return str(units[0].get("CodeValue", "") or "").strip()


def _metadata(ds: Dataset, group: Dataset, first: Dataset) -> dict[str, str]:
    sop = str(ds.get("SOPClassUID", "") or "")
    meta = {
        "format": "DICOM",
        "format_detail": UID(sop).name if sop else "DICOM waveform",
        "multiplex_label": str(group.get("MultiplexGroupLabel", "") or ""),
        "filter_low_hz": str(first.get("FilterLowFrequency", "") or ""),
        "filter_high_hz": str(first.get("FilterHighFrequency", "") or ""),
        "notch_hz": str(first.get("NotchFilterFrequency", "") or ""),
    }
    for key, keyword in _META_FIELDS.items():
        meta[key] = str(ds.get(keyword, "") or "")
    statements = [
        str(item.get("UnformattedTextValue", "")).strip()
        for item in ds.get("WaveformAnnotationSequence", [])
        if item.get("UnformattedTextValue")
    ]
    meta["machine_statements"] = "\n".join(statements)
    return {key: value for key, value in meta.items() if value.strip()}


def _start(ds: Dataset) -> datetime | None:
    for value in (
        ds.get("AcquisitionDateTime"),
        f"{ds.get('ContentDate', '') or ''}{ds.get('ContentTime', '') or ''}",
        f"{ds.get('StudyDate', '') or ''}{ds.get('StudyTime', '') or ''}",
    ):
        if value and (parsed := parse_timestamp(str(value))):
            return parsed
    return None
