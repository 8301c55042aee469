"""From files as they arrived to de-identified, rendered records: pure, no Django.

``process`` expands archives, groups files into records, and for each record: reads it
(ECG or image engine), de-identifies it (the engines' own de-identifiers plus the text
de-identifier for its file name), writes its canonical form and renders it. A record
that cannot be read is refused with the reader's reason; the others go on.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.documents.deid import redact_filename
from hybridmd.engines.ecg.deid import deidentify_ecg
from hybridmd.engines.ecg.errors import ECGReadError
from hybridmd.engines.ecg.io import read_ecg, sniff_ecg, write_dicom_waveform
from hybridmd.engines.ecg.model import ECG
from hybridmd.engines.ecg.render import render_strips_svg, render_svg
from hybridmd.engines.imaging.deid import UidMap, deidentify_image
from hybridmd.engines.imaging.errors import ImageReadError
from hybridmd.engines.imaging.io import read_image, sniff_image
from hybridmd.engines.imaging.model import Image
from hybridmd.engines.imaging.render import render_png, thumbnail_png, window_presets
from hybridmd.engines.intake.archives import IncomingFile, expand
from hybridmd.engines.intake.errors import IntakeError
from hybridmd.engines.intake.records import Record, Skipped, group, is_program

__all__ = ["IntakeError", "Outcome", "Processed", "Refused", "process", "read_record"]

_WAVEFORM_SOP_PREFIX = "1.2.840.10008.5.1.4.1.1.9."


@dataclass
class Processed:
    kind: str  # "ecg" | "image"
    source_format: str
    display_name: str  # de-identified
    original: tuple[str, bytes]  # storage name (no identity in it), bytes as uploaded
    canonical: tuple[str, bytes]
    rendering: tuple[str, bytes]
    thumbnail: tuple[str, bytes]
    summary: dict[str, Any]
    report: DeidReport


@dataclass(frozen=True)
class Refused:
    name: str  # de-identified
    reason: str


@dataclass
class Outcome:
    processed: list[Processed] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _is_waveform_dicom(data: bytes) -> bool:
    import pydicom  # noqa: PLC0415 -- only DICOM files need it

    try:
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=False)
    except Exception:  # the image reader gives the proper reason
        return False
    return str(getattr(ds, "SOPClassUID", "")).startswith(_WAVEFORM_SOP_PREFIX) or (
        "WaveformSequence" in ds
    )


def read_record(record: Record, *, fs: float | None = None) -> ECG | Image:
    """The record as an ECG or an Image; IntakeError with the reason otherwise."""
    first_name, first = next(iter(record.files.items()))
    if is_program(first):
        raise IntakeError("This is a program, not an ECG or an image.")
    if len(record.files) > 1 or first_name.lower().endswith(".hea"):
        kind = "ecg"
    else:
        ecg_format = sniff_ecg(first_name, first[:4096])
        image_format = sniff_image(first[:4096])
        if image_format == "dicom":
            kind = "ecg" if _is_waveform_dicom(first) else "image"
        elif image_format is not None:
            kind = "image"
        elif ecg_format is not None:
            kind = "ecg"
        else:
            raise IntakeError("This is not an ECG or image file that can be read here.")
    try:
        if kind == "ecg":
            return read_ecg(record.files, fs=fs)
        return read_image(first, name=first_name)
    except (ECGReadError, ImageReadError) as exc:
        raise IntakeError(str(exc)) from exc


def _original(record: Record) -> tuple[str, bytes]:
    if len(record.files) == 1:
        name, data = next(iter(record.files.items()))
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
        return f"original.{suffix[:8]}", data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in record.files.items():
            archive.writestr(name, data)
    return "original.zip", buffer.getvalue()


def _ecg_summary(ecg: ECG) -> dict[str, Any]:
    return {
        "lead_count": len(ecg.leads),
        "leads": list(ecg.lead_names),
        "fs": round(ecg.fs, 3),
        "duration_s": round(ecg.duration_s, 2),
        "n_samples": ecg.n_samples,
    }


def _process_ecg(
    ecg: ECG, display_name: str, report: DeidReport, original: tuple[str, bytes]
) -> Processed:
    clean, ecg_report = deidentify_ecg(ecg)
    report.extend(ecg_report)
    thumbnail = render_strips_svg(
        clean, leads=[clean.lead_names[0]] if "II" not in clean.leads else ["II"], max_seconds=5
    )
    return Processed(
        kind="ecg",
        source_format=ecg.source_meta.get("format", "ecg"),
        display_name=display_name,
        original=original,
        canonical=("ecg.dcm", write_dicom_waveform(clean)),
        rendering=("ecg.svg", render_svg(clean).encode()),
        thumbnail=("thumbnail.svg", thumbnail.encode()),
        summary=_ecg_summary(clean),
        report=report,
    )


def _image_summary(image: Image) -> dict[str, Any]:
    presets = window_presets(image)
    return {
        "modality": image.modality,
        "photometric": image.photometric,
        "rows": image.rows,
        "columns": image.columns,
        "pixel_spacing_mm": list(image.pixel_spacing_mm) if image.pixel_spacing_mm else None,
        "window": list(image.windows[0]) if image.windows else None,
        "presets": presets,
    }


def _process_image(
    image: Image,
    display_name: str,
    report: DeidReport,
    original: tuple[str, bytes],
    uid_map: UidMap,
) -> Processed:
    clean, image_report = deidentify_image(image, uid_map=uid_map)
    report.extend(image_report)
    if clean.dataset is not None:
        buffer = io.BytesIO()
        clean.dataset.save_as(buffer, enforce_file_format=True)
        canonical = ("image.dcm", buffer.getvalue())
    else:
        canonical = ("image.png", render_png(clean))
    return Processed(
        kind="image",
        source_format=clean.source_meta.get("format", clean.kind),
        display_name=display_name,
        original=original,
        canonical=canonical,
        rendering=("image.png", render_png(clean, max_side=2048)),
        thumbnail=("thumbnail.png", thumbnail_png(clean)),
        summary=_image_summary(clean),
        report=report,
    )


def process(
    files: list[IncomingFile],
    *,
    uid_salt: bytes,
    fs: float | None = None,
    max_total_bytes: int,
) -> Outcome:
    """Every record of ``files``, processed or refused. Raises IntakeError for the batch
    as a whole only when the archives themselves are unacceptable (bombs, sizes)."""
    records, skipped = group(expand(files, max_total_bytes=max_total_bytes))
    outcome = Outcome(skipped=[Skipped(redact_filename(s.name)[0], s.reason) for s in skipped])
    uid_map = UidMap(salt=uid_salt.hex())
    for record in records:
        display_name, report = redact_filename(record.name)
        try:
            item = read_record(record, fs=fs)
            original = _original(record)
            if isinstance(item, ECG):
                processed = _process_ecg(item, display_name, report, original)
            else:
                processed = _process_image(item, display_name, report, original, uid_map)
        except (IntakeError, ECGReadError, ImageReadError) as exc:
            outcome.refused.append(Refused(display_name, str(exc)))
            continue
        outcome.processed.append(processed)
    return outcome
