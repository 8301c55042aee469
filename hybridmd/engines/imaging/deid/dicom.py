"""DICOM header de-identification: PS3.15 Annex E Basic Application Level Confidentiality
Profile, driven by Table E.1-1 (``profile_table``, PS3.15 2025a).

What is done, beyond a literal reading of the table:

* the combined actions are resolved without IOD knowledge towards keeping less:
  X/Z, X/D, X/Z/D and X/Z/U* remove the attribute, Z/D empties it;
* D on a sequence keeps the sequence and de-identifies its items (nested attributes get
  their own table actions); D on a UID is a U;
* all private attributes go, and whole overlay groups (60xx) and curves (50xx);
* as a precaution, any other person name (PN) left anywhere is emptied;
* the file meta header follows: Media Storage SOP Instance UID is the remapped SOP
  Instance UID, AE titles and private meta information are removed, the preamble is
  zeroed (a preamble can hide a program);
* PatientIdentityRemoved = YES, DeidentificationMethod and the code 113100 (DCM, Basic
  Application Confidentiality Profile), LongitudinalTemporalInformationModified = REMOVED.

Reports name the attribute and the action, never the value.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
import warnings
from io import BytesIO

from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.dataset import FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID

from hybridmd.engines.deid import DeidReport
from hybridmd.engines.imaging.deid.profile_table import BASIC_PROFILE, EDITION
from hybridmd.engines.imaging.dicom_reader import parse_dicom
from hybridmd.engines.imaging.errors import ImageReadError

METHOD = "DICOM PS3.15 Basic Application Confidentiality Profile"
_COMBINED = {"X/Z": "X", "X/D": "X", "X/Z/D": "X", "X/Z/U": "X", "X/Z/U*": "X", "Z/D": "Z"}
_DUMMY_TEXT = {
    "PN": "ANONYMOUS",
    "AE": "ANONYMOUS",
    "DA": "19000101",
    "TM": "000000",
    "DT": "19000101000000",
    "AS": "000D",
    "IS": "0",
    "DS": "0",
    "UR": "urn:anonymized",
}
_NUMERIC_VRS = {"US", "SS", "UL", "SL", "FL", "FD", "UV", "SV", "AT"}
_BINARY_VRS = {"OB", "OW", "OD", "OF", "OL", "OV", "UN"}
_META_REMOVED = (
    "SourceApplicationEntityTitle",
    "SendingApplicationEntityTitle",
    "ReceivingApplicationEntityTitle",
    "SourcePresentationAddress",
    "SendingPresentationAddress",
    "ReceivingPresentationAddress",
    "PrivateInformationCreatorUID",
    "PrivateInformation",
    "ImplementationVersionName",
)


class UidMap:
    """Original UID -> replacement UID, one map per upload.

    The same original always gets the same replacement within a map, so two files of one
    study keep sharing a (new) Study Instance UID. Replacements are ``2.25.<UUID>`` with a
    name-based UUID from a per-map random salt: unlinkable across uploads, and the map
    itself is never put in a report.
    """

    def __init__(self, salt: str | None = None) -> None:
        seed = (salt if salt is not None else secrets.token_hex(16)).encode()
        self._namespace = uuid.UUID(bytes=hashlib.sha256(seed).digest()[:16], version=4)
        self._map: dict[str, str] = {}

    def __call__(self, uid: str) -> str:
        original = str(uid).strip().rstrip("\x00")
        if not original:
            return original
        if original not in self._map:
            self._map[original] = f"2.25.{uuid.uuid5(self._namespace, original).int}"
        return self._map[original]

    def __len__(self) -> int:
        return len(self._map)

    def __contains__(self, uid: object) -> bool:
        return str(uid) in self._map


def _tag_text(tag: BaseTag) -> str:
    return f"({tag.group:04X},{tag.element:04X})"


def _action(tag: BaseTag) -> str | None:
    code = BASIC_PROFILE.get(int(tag))
    if code is not None:
        return _COMBINED.get(code, code)
    if tag.group % 2 == 0 and (tag.group & 0xFF00) in (0x5000, 0x6000):
        return "X"  # curves (50xx,xxxx); overlay planes (60xx): data and comments are X
    return None


def _dummy(elem: DataElement) -> object:
    if elem.VR in _DUMMY_TEXT:
        return _DUMMY_TEXT[elem.VR]
    if elem.VR in _NUMERIC_VRS:
        return 0
    if elem.VR in _BINARY_VRS:
        return b"\x00\x00"
    return "ANONYMIZED"


def _is_empty(elem: DataElement) -> bool:
    value = elem.value
    return value is None or value in ("", b"") or (isinstance(value, list) and not value)


def _remap(elem: DataElement, uid_map: UidMap) -> None:
    if isinstance(elem.value, MultiValue | list):
        elem.value = [uid_map(str(v)) for v in elem.value]
    elif not _is_empty(elem):
        elem.value = uid_map(str(elem.value))


def _change_value(elem: DataElement, action: str | None, uid_map: UidMap) -> str | None:
    """Apply Z, U or D (or the PN precaution) to a kept element; the report line, if any."""
    if _is_empty(elem):
        return None
    if action == "Z":
        elem.value = [] if elem.VR == "SQ" else elem.empty_value
        return "emptied|PS3.15 Basic Profile: Z"
    if action == "U" or (action == "D" and elem.VR == "UI"):
        _remap(elem, uid_map)
        return "remapped|new UID, the same within this upload"
    if action == "D":
        elem.value = _dummy(elem)
        return "replaced|PS3.15 Basic Profile: D (dummy value)"
    if elem.VR == "PN":
        elem.value = elem.empty_value
        return "emptied|a person name the profile does not list"
    return None


def _walk(ds: Dataset, uid_map: UidMap, report: DeidReport, path: str) -> None:
    private = 0
    overlay_groups: set[int] = set()
    for elem in list(ds):
        tag = elem.tag
        action = _action(tag)
        label = f"{path}{_tag_text(tag)} {elem.name}"
        where = f"DICOM {label}"
        if tag.is_private:
            private += 1
            del ds[tag]
        elif action == "X" and (tag.group & 0xFF00) == 0x6000 and int(tag) not in BASIC_PROFILE:
            overlay_groups.add(tag.group)
            del ds[tag]
        elif action == "X":
            del ds[tag]
            report.add(where, "removed", "PS3.15 Basic Profile: X")
        elif elem.VR == "SQ" and action in (None, "K", "D"):
            for index, item in enumerate(elem.value, start=1):
                _walk(item, uid_map, report, f"{label}, item {index} > ")
        elif (change := _change_value(elem, action, uid_map)) is not None:
            done, why = change.split("|")
            report.add(where, done, why)
    if private:
        report.add(f"DICOM {path}private attributes", "removed", f"{private} element(s)")
    for group in sorted(overlay_groups):
        report.add(f"DICOM {path}overlay group {group:04X}", "removed", "PS3.15: overlay data")


def _clean_file_meta(ds: Dataset, uid_map: UidMap, report: DeidReport) -> None:
    meta = ds.file_meta if hasattr(ds, "file_meta") else FileMetaDataset()
    for keyword in _META_REMOVED:
        if keyword in meta:
            if keyword != "ImplementationVersionName":
                report.add(f"DICOM file meta {keyword}", "removed")
            del meta[keyword]
    for elem in list(meta):
        if elem.tag.is_private:
            del meta[elem.tag]
    if "SOPInstanceUID" in ds:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    elif "MediaStorageSOPInstanceUID" in meta:
        meta.MediaStorageSOPInstanceUID = UID(uid_map(meta.MediaStorageSOPInstanceUID))
    if "SOPClassUID" in ds:
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    preamble = getattr(ds, "preamble", None)
    if preamble and any(preamble):
        report.add("DICOM preamble", "emptied", "128 bytes before the DICM marker")
    ds.preamble = b"\x00" * 128


def _mark(ds: Dataset) -> None:
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    code = Dataset()
    code.CodeValue = "113100"
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = "Basic Application Confidentiality Profile"
    ds.DeidentificationMethodCodeSequence = [code]
    ds.LongitudinalTemporalInformationModified = "REMOVED"


def deidentify_dataset(ds: Dataset, *, uid_map: UidMap) -> DeidReport:
    """Apply the Basic Profile to ``ds`` in place (recursively) and say what changed."""
    report = DeidReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warnings may quote values
        _walk(ds, uid_map, report, "")
        _clean_file_meta(ds, uid_map, report)
        _mark(ds)
    return report


def write_dicom(ds: Dataset) -> bytes:
    """The dataset as a DICOM file (preamble, file meta, data set) in its transfer syntax."""
    buffer = BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.save_as(buffer, enforce_file_format=True)
    except Exception as exc:
        raise ImageReadError(
            "The de-identified DICOM file could not be written.", cause=exc
        ) from None
    return buffer.getvalue()


def deidentify_dicom_bytes(data: bytes, *, uid_map: UidMap) -> tuple[bytes, DeidReport]:
    """Header-only de-identification of a DICOM file (any SOP class, pixels untouched).

    For images use :func:`hybridmd.engines.imaging.deid.deidentify_image`, which also
    looks for burned-in text; here a file with pixel data gets a risk saying so.
    """
    has_preamble = len(data) >= 132 and data[128:132] == b"DICM"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = parse_dicom(data, has_preamble=has_preamble)
        try:
            report = deidentify_dataset(ds, uid_map=uid_map)
        except ImageReadError:
            raise
        except Exception as exc:
            raise ImageReadError(
                "This DICOM file is damaged and could not be read.", cause=exc
            ) from None
    if "PixelData" in ds:
        report.risks.append("The pixels were not checked for burned-in text.")
    return write_dicom(ds), report


__all__ = [
    "EDITION",
    "METHOD",
    "UidMap",
    "deidentify_dataset",
    "deidentify_dicom_bytes",
    "write_dicom",
]
