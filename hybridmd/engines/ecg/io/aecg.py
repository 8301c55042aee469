"""HL7 v3 annotated ECG (aECG, the FDA XML format), parsed without DTDs or entities."""

from __future__ import annotations

import json
import math
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import numpy as np
from defusedxml import DefusedXmlException

from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io._common import check_fs_argument, mv_factor, parse_timestamp
from hybridmd.engines.ecg.limits import MAX_TOTAL_SAMPLES, check_claims, too_many_samples
from hybridmd.engines.ecg.model import ECG, FloatArray, build_ecg

_NS = "{urn:hl7-org:v3}"
_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6}
_FILTERS = {
    "MDC_ECG_CTL_VBL_ATTR_FILTER_LOW_PASS": "filter_high_hz",  # low-pass = upper cut-off
    "MDC_ECG_CTL_VBL_ATTR_FILTER_HIGH_PASS": "filter_low_hz",
    "MDC_ECG_CTL_VBL_ATTR_FILTER_NOTCH": "notch_hz",
}


def read_aecg(name: str, data: bytes, *, fs: float | None) -> ECG:
    root = _parse(name, data)
    series = _rhythm_series(root)
    if series is None:
        raise ECGReadError(f"The aECG file {name} holds no waveform series.")
    sequence_set = series.find(f"{_NS}component/{_NS}sequenceSet")
    if sequence_set is None:
        raise ECGReadError(f"The aECG file {name} holds no sequence set of waveforms.")
    increment, start, channels, units = _read_sequences(sequence_set, name)
    rate = 1.0 / increment
    check_fs_argument(rate, fs, source=name)
    lengths = {label: len(s) for label, s in channels}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k.removeprefix('MDC_ECG_LEAD_')} {v:,}" for k, v in lengths.items())
        raise ECGReadError(f"The aECG leads have different numbers of samples ({detail}).")
    check_claims(len(channels[0][1]), len(channels), rate, source=name)
    meta = {"format": "HL7 aECG", "format_detail": "HL7 v3 annotated ECG (XML)"}
    meta["units"] = json.dumps(units)
    meta.update(_metadata(root, series))
    return build_ecg(channels, rate, start=start, meta=meta)


def _parse(name: str, data: bytes) -> Element:
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ECGReadError(
            f"{name} declares a DTD or entities ({type(exc).__name__}); XML like that is "
            f"refused for safety, and HL7 aECG files do not need it."
        ) from exc
    except (ParseError, ValueError) as exc:
        raise ECGReadError(f"{name} is not well-formed XML ({str(exc)[:80]}).") from exc
    if _local(root.tag) != "AnnotatedECG":
        raise ECGReadError(
            f"{name} is XML but not an HL7 aECG (annotated ECG) document: its root element is "
            f"<{_local(root.tag)[:40]}>."
        )
    return root


def _read_sequences(
    sequence_set: Element, name: str
) -> tuple[float, datetime | None, list[tuple[str, FloatArray]], list[str]]:
    increment: float | None = None
    start = None
    channels: list[tuple[str, FloatArray]] = []
    units: list[str] = []
    total = 0
    for sequence in sequence_set.iterfind(f"{_NS}component/{_NS}sequence"):
        code = _attr(sequence.find(f"{_NS}code"), "code")
        value = sequence.find(f"{_NS}value")
        if value is None:
            continue
        if code in ("TIME_ABSOLUTE", "TIME_RELATIVE"):
            increment = _increment(value, name)
            head = _attr(value.find(f"{_NS}head"), "value")
            start = parse_timestamp(head) if code == "TIME_ABSOLUTE" and head else start
        elif code.startswith("MDC_ECG_LEAD_"):
            samples, unit = _samples(value, code, name)
            total += len(samples)
            if total > MAX_TOTAL_SAMPLES:
                raise too_many_samples(total, source=name)
            channels.append((code, samples))
            units.append(unit)
    if increment is None:
        raise ECGReadError(f"The aECG file {name} does not say its sampling interval.")
    if not channels:
        raise ECGReadError(f"The aECG file {name} holds no ECG lead (MDC_ECG_LEAD_*) sequences.")
    return increment, start, channels, units


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _attr(element: Element | None, key: str) -> str:
    return "" if element is None else str(element.get(key, "")).strip()


def _number(text: str, what: str, name: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ECGReadError(f"The aECG file {name} gives {what} as {text[:20]!r}.") from None
    if not math.isfinite(number):
        raise ECGReadError(f"The aECG file {name} gives {what} as {text[:20]!r}.")
    return number


def _rhythm_series(root: Element) -> Element | None:
    all_series = root.findall(f"{_NS}component/{_NS}series")
    for series in all_series:
        if _attr(series.find(f"{_NS}code"), "code") == "RHYTHM":
            return series
    return all_series[0] if all_series else None


def _increment(value: Element, name: str) -> float:
    element = value.find(f"{_NS}increment")
    if element is None:
        raise ECGReadError(f"The aECG time sequence in {name} has no increment.")
    unit = _attr(element, "unit") or "s"
    if unit not in _SECONDS:
        raise ECGReadError(f"The aECG time increment in {name} is in {unit!r}, not seconds.")
    step = _number(_attr(element, "value"), "the time increment", name) * _SECONDS[unit]
    if step <= 0:
        raise ECGReadError(f"The aECG time increment in {name} is not positive.")
    return step


def _samples(value: Element, code: str, name: str) -> tuple[FloatArray, str]:
    lead = code.removeprefix("MDC_ECG_LEAD_")
    origin_el, scale_el = value.find(f"{_NS}origin"), value.find(f"{_NS}scale")
    origin = _number(_attr(origin_el, "value") or "0", f"lead {lead}'s origin", name)
    scale = _number(_attr(scale_el, "value") or "1", f"lead {lead}'s scale", name)
    unit = _attr(scale_el, "unit") or "uV"
    factor = mv_factor(unit)
    origin_factor = mv_factor(_attr(origin_el, "unit") or unit)
    if factor is None or origin_factor is None:
        raise ECGReadError(f"Lead {lead} in {name} is in {unit!r}, not a voltage.")
    digits = value.find(f"{_NS}digits")
    text = digits.text if digits is not None and digits.text else ""
    tokens = text.split()
    if len(tokens) > MAX_TOTAL_SAMPLES:
        raise too_many_samples(len(tokens), source=name)
    try:
        raw = np.array(tokens, dtype=np.float64)
    except ValueError:
        bad = next(t for t in tokens if not _is_number(t))
        raise ECGReadError(
            f"Lead {lead} in {name} holds {bad[:20]!r}, which is not a number."
        ) from None
    return raw * (scale * factor) + origin * origin_factor, unit


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _metadata(root: Element, series: Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    device = series.find(f".//{_NS}manufacturedSeriesDevice")
    if device is not None:
        meta["device_model"] = (device.findtext(f"{_NS}manufacturerModelName") or "").strip()
    maker = series.find(f".//{_NS}manufacturerOrganization/{_NS}name")
    if maker is not None and maker.text:
        meta["manufacturer"] = maker.text.strip()
    for outer in series.iterfind(f"{_NS}controlVariable/{_NS}controlVariable"):
        key = _FILTERS.get(_attr(outer.find(f"{_NS}code"), "code"))
        for inner in outer.iterfind(f"{_NS}component/{_NS}controlVariable"):
            inner_value = inner.find(f"{_NS}value")
            if key and inner_value is not None and _attr(inner_value, "unit") == "Hz":
                meta[key] = _attr(inner_value, "value")
    person = root.find(f".//{_NS}subjectDemographicPerson")
    if person is not None:
        meta["patient_name"] = " ".join(person.findtext(f"{_NS}name", "").split())
        meta["patient_sex"] = _attr(person.find(f"{_NS}administrativeGenderCode"), "code")
        meta["patient_birth_date"] = _attr(person.find(f"{_NS}birthTime"), "value")
    subject = root.find(f".//{_NS}trialSubject/{_NS}id")
    if subject is not None:
        meta["patient_id"] = _attr(subject, "extension")
    comment = root.findtext(f".//{_NS}subjectFindingComment/{_NS}text")
    if comment:
        meta["header_comments"] = comment.strip()
    return {key: value for key, value in meta.items() if value}
