"""DICOM de-identification: the Basic Profile table, UIDs, and the done-when scenario."""

from __future__ import annotations

import copy
import os

import numpy as np
import pytesseract
import pytest
from pydicom import Dataset
from pydicom.datadict import dictionary_VR
from pydicom.pixels.utils import set_pixel_data
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from hybridmd.engines.imaging import read_image
from hybridmd.engines.imaging.deid import (
    UidMap,
    deidentify_dataset,
    deidentify_dicom_bytes,
    deidentify_image,
    write_dicom,
)
from hybridmd.engines.imaging.deid.burned_in import RISK_FOUND
from hybridmd.engines.imaging.deid.profile_table import BASIC_PROFILE, EDITION

from .samples import (
    FONT_KOREAN,
    FONT_LATIN,
    KOREAN_CHARSET,
    MISSING_DATA_REASON,
    SHARED_DATA,
    SIIM,
    burn_text,
    read_dataset,
    to_bytes,
)

needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=MISSING_DATA_REASON)

# ---------------------------------------------------------------------------- the table

_SAMPLE_VALUES: dict[str, object] = {
    "PN": "DOE^JOHN",
    "DA": "20200101",
    "TM": "120000",
    "DT": "20200101120000",
    "UI": "1.2.3.4.5.6",
    "AS": "045Y",
    "IS": "7",
    "DS": "1.5",
    "US": 7,
    "UL": 7,
    "SS": 7,
    "SL": 7,
    "UV": 7,
    "SV": 7,
    "FL": 1.5,
    "FD": 1.5,
    "AT": 0x00100010,
    "OB": b"\x01\x02",
    "OW": b"\x01\x02",
    "OD": b"\x01\x02\x03\x04\x05\x06\x07\x08",
    "OF": b"\x01\x02\x03\x04",
    "OL": b"\x01\x02\x03\x04",
    "OV": b"\x01\x02\x03\x04\x05\x06\x07\x08",
    "UN": b"\x01\x02",
    "UR": "http://example.org/x",
    "CS": "SECRET",
}


def _rows() -> list[tuple[int, str, str]]:
    rows = []
    for tag, code in sorted(BASIC_PROFILE.items()):
        if tag >> 16 in (0x0000, 0x0002):  # command and file meta groups: not in a data set
            continue
        try:
            vr = dictionary_VR(tag).split(" or ")[0]
        except KeyError:
            continue
        rows.append((tag, code, vr))
    return rows


TABLE_ROWS = _rows()


def test_table_is_the_2025a_basic_profile_column():
    assert EDITION == "2025a"
    assert len(BASIC_PROFILE) == 627
    assert set(BASIC_PROFILE.values()) <= {
        "D",
        "Z",
        "X",
        "U",
        "X/Z",
        "X/D",
        "X/Z/D",
        "Z/D",
        "X/Z/U",
    }
    assert BASIC_PROFILE[0x00100010] == "Z"  # Patient's Name
    assert BASIC_PROFILE[0x00080080] == "X/Z/D"  # Institution Name
    assert BASIC_PROFILE[0x0020000D] == "U"  # Study Instance UID
    assert BASIC_PROFILE[0x00081030] == "X"  # Study Description
    assert len(TABLE_ROWS) > 600  # nearly every row is known to pydicom's dictionary


@pytest.mark.parametrize(
    ("tag", "code", "vr"), TABLE_ROWS, ids=[f"{t:08X}" for t, _, _ in TABLE_ROWS]
)
def test_every_table_row_gets_its_action(tag, code, vr):
    ds = Dataset()
    original: object
    if vr == "SQ":
        item = Dataset()
        item.PatientName = "DOE^JOHN"
        item.ReferencedSOPInstanceUID = "1.2.3.4.5.6"
        original = [item]
    else:
        original = _SAMPLE_VALUES.get(vr, "SECRET")
    ds.add_new(tag, vr, copy.deepcopy(original))
    uid_map = UidMap(salt="t")
    report = deidentify_dataset(ds, uid_map=uid_map)
    action = {"X/Z": "X", "X/D": "X", "X/Z/D": "X", "X/Z/U": "X", "Z/D": "Z"}.get(code, code)
    if action == "D" and vr == "UI":
        action = "U"
    label = f"({tag >> 16:04X},{tag & 0xFFFF:04X})"
    if action == "X":
        assert tag not in ds
        assert any(label in c.where and c.action == "removed" for c in report.changes)
        return
    element = ds[tag]
    if action == "Z":
        assert element.value in (None, "", b"") or len(element.value) == 0
    elif action == "U":
        assert element.value == uid_map("1.2.3.4.5.6")
        assert UID(element.value).is_valid
    elif vr == "SQ":  # D on a sequence: kept, its items de-identified
        assert element.value[0].PatientName == ""
        assert element.value[0].ReferencedSOPInstanceUID == uid_map("1.2.3.4.5.6")
    else:
        assert element.value != original
        assert element.value not in (None, "", b"")
    assert "DOE" not in str(element.value)


# ---------------------------------------------------------------------------- UIDs


def test_uid_map_is_consistent_within_an_upload_and_unlinkable_across():
    first, second = UidMap(), UidMap()
    uid = "1.2.840.113619.2.55.3.604688119.969.1268071029.320"
    assert first(uid) == first(uid)
    assert first(uid) != second(uid)
    assert first(uid).startswith("2.25.")
    assert UID(first(uid)).is_valid
    assert UidMap(salt="s")(uid) == UidMap(salt="s")(uid)
    assert first("") == ""
    assert len(first) == 1
    assert uid in first


def test_private_tags_overlays_and_nested_names_are_removed():
    ds = Dataset()
    ds.PatientName = "DOE^JOHN"
    ds.add_new(0x00091010, "LO", "vendor secret")
    ds.add_new(0x60000010, "US", 2)
    ds.add_new(0x60003000, "OW", b"\x00\x01")
    inner = Dataset()
    inner.add_new(0x00111001, "LO", "nested private")
    inner.ReferringPhysicianName = "KIM^CHULSOO"  # Z
    inner.add_new(0x00081070, "PN", "LEE^OPERATOR")  # Operators' Name: X/Z/D -> X
    inner.add_new(0x00401010, "PN", "PARK^RECIPIENT")  # X
    inner.add_new(0x0040A123, "PN", "CHOI^PERSON")  # Person Name: D
    inner.add_new(0x00700084, "PN", "JUNG^CREATOR")  # Content Creator's Name: Z/D -> Z
    item = Dataset()
    item.CodeValue = "1"
    item.add_new(0x00081060, "PN", "OH^READER")  # Name of Physician(s) Reading Study: X
    item.add_new(0x00321032, "PN", "YOON^REQUESTER")  # X
    item.add_new(0x00101005, "PN", "HAN^BIRTHNAME")  # X
    item.add_new(0x0040A075, "PN", "SEO^VERIFIER")  # D
    item.add_new(0x00081050, "PN", "KANG^PERFORMER")  # X
    inner.ProcedureCodeSequence = [item]  # not in the table: kept and walked
    inner.add_new(0x00100010, "PN", "KWON^NESTED")
    inner.add_new(0x00400006, "PN", "LIM^SCHEDULED")
    inner.add_new(0x00401101, "SQ", [])
    inner.add_new(0x00100021, "LO", "ISSUER")
    inner.add_new(0x00189367, "LO", "SOURCE")
    inner.add_new(0x4008010C, "PN", "HWANG^AUTHOR")
    inner.add_new(0x300E0008, "PN", "SONG^REVIEWER")
    inner.add_new(0x00321033, "LO", "SERVICE")
    inner.add_new(0x0018A003, "ST", "CONTRIBUTION")
    inner.add_new(0x00120010, "LO", "SPONSOR")
    inner.add_new(0x00080096, "SQ", [])
    inner.PerformedProtocolCodeSequence = []
    inner.add_new(0x0040A730, "SQ", [])
    inner.add_new(0x00102297, "PN", "YANG^RESPONSIBLE")
    ds.ReferencedPerformedProcedureStepSequence = []
    ds.RequestAttributesSequence = [copy.deepcopy(inner)]  # X: removed whole
    ds.AnatomicRegionSequence = [inner]  # not in the table: walked
    report = deidentify_dataset(ds, uid_map=UidMap())
    values = _all_values(ds)
    for secret in ("DOE", "vendor", "KIM", "LEE", "PARK", "CHOI", "JUNG", "OH^", "YOON", "HAN^",
                   "SEO", "KANG", "KWON", "LIM", "HWANG", "SONG", "YANG"):  # fmt: skip
        assert not any(secret in value for value in values), secret
    assert 0x60003000 not in ds
    assert 0x60000010 not in ds
    assert not any(elem.tag.is_private for elem in _walk(ds))
    assert "RequestAttributesSequence" not in ds
    nested = ds.AnatomicRegionSequence[0]
    assert nested.ProcedureCodeSequence[0].CodeValue == "1"  # structure kept
    assert any("private attributes" in c.where for c in report.changes)
    assert any("overlay group 6000" in c.where for c in report.changes)


def test_dataset_is_marked_as_deidentified():
    ds = Dataset()
    ds.PatientName = "DOE^JOHN"
    deidentify_dataset(ds, uid_map=UidMap())
    assert ds.PatientIdentityRemoved == "YES"
    assert "Basic Application Confidentiality Profile" in ds.DeidentificationMethod
    code = ds.DeidentificationMethodCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator) == ("113100", "DCM")
    assert ds.LongitudinalTemporalInformationModified == "REMOVED"


@needs_data
def test_korean_names_in_a_header_only_file_are_removed():
    data = KOREAN_CHARSET.read_bytes()
    original = read_dataset(data)
    name = str(original.PatientName)
    assert any("\uac00" <= ch <= "\ud7a3" for ch in name)  # Hangul
    cleaned, report = deidentify_dicom_bytes(data, uid_map=UidMap())
    ds = read_dataset(cleaned)
    assert ds.PatientName == ""
    assert not any(part and part in value for part in name.split("^") for value in _all_values(ds))
    assert name.encode("euc-kr") not in cleaned
    assert any("(0010,0010)" in c.where for c in report.changes)
    assert not report.risks  # no pixel data, nothing to check by eye


@needs_data
def test_preamble_is_zeroed_and_file_meta_follows_the_new_sop_instance_uid():
    ds = read_dataset(SIIM.read_bytes())
    ds.preamble = b"MZ" + b"\x90" * 126  # a program hidden in the preamble
    ds.file_meta.SourceApplicationEntityTitle = "HOSPITAL_PACS"
    cleaned, report = deidentify_dicom_bytes(to_bytes(ds), uid_map=UidMap())
    assert cleaned[:128] == b"\x00" * 128
    out = read_dataset(cleaned)
    assert out.file_meta.MediaStorageSOPInstanceUID == out.SOPInstanceUID != ds.SOPInstanceUID
    assert "SourceApplicationEntityTitle" not in out.file_meta
    assert b"HOSPITAL_PACS" not in cleaned
    assert report.risks == ["The pixels were not checked for burned-in text."]


# ---------------------------------------------------------------------------- done-when

SECRETS = ("HONG", "GILDONG", "12345678", "19850302", "SEOUL", "ACC-99817", "홍길동")
BURNED = [
    ("HONG GILDONG 1985-03-02 ID 12345678", FONT_LATIN),
    ("환자 홍길동", FONT_KOREAN),
]


def _walk(ds: Dataset):
    for elem in ds:
        yield elem
        if elem.VR == "SQ":
            for item in elem.value:
                yield from _walk(item)


def _all_values(ds: Dataset) -> list[str]:
    values = [str(elem.value) for elem in _walk(ds) if elem.tag != 0x7FE00010]
    if hasattr(ds, "file_meta"):
        values += [str(elem.value) for elem in ds.file_meta]
    return values


def _ocr(pixels: np.ndarray) -> str:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    crop = np.clip(pixels[:200, :], 0, 255).astype(np.uint8)
    return pytesseract.image_to_string(crop, lang="kor+eng", config="--psm 11")


def _upload_with_phi() -> tuple[bytes, bytes, Dataset]:
    ds = read_dataset(SIIM.read_bytes())
    pixels = burn_text(ds.pixel_array, BURNED, origin=(24, 24), size=30)
    ds.PatientName = "HONG^GILDONG"
    ds.PatientID = "12345678"
    ds.PatientBirthDate = "19850302"
    ds.InstitutionName = "SEOUL GENERAL HOSPITAL"
    ds.AccessionNumber = "ACC-99817"
    ds.StudyDate = "20240102"
    ds.FrameOfReferenceUID = generate_uid()
    block = ds.private_block(0x0029, "HYBRIDMD TEST", create=True)
    block.add_new(0x01, "LO", "HONG GILDONG 12345678")
    referral = Dataset()
    referral.ReferringPhysicianName = "HONG^GILDONG"
    referral.add_new(0x0040A123, "PN", "HONG^GILDONG")
    referral.ReferencedSOPInstanceUID = ds.SOPInstanceUID
    ds.AnatomicRegionSequence = [referral]
    ds.OtherPatientIDsSequence = [Dataset()]
    ds.OtherPatientIDsSequence[0].PatientID = "12345678"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    set_pixel_data(ds, pixels, "MONOCHROME2", 8, generate_instance_uid=False)
    first = to_bytes(ds)
    sibling = copy.deepcopy(ds)  # a second image of the same study and series
    sibling.SOPInstanceUID = generate_uid()
    sibling.file_meta.MediaStorageSOPInstanceUID = sibling.SOPInstanceUID
    return first, to_bytes(sibling), ds


@needs_data
def test_done_when_no_phi_survives_anywhere_and_uids_stay_consistent():
    first, second, original = _upload_with_phi()
    before = _ocr(read_image(first).pixels)
    assert "GILDONG" in before.upper()  # the burned text is really there and readable

    uid_map = UidMap()
    outputs = []
    for data in (first, second):
        cleaned, report = deidentify_image(read_image(data), uid_map=uid_map)
        assert cleaned.dataset is not None
        written = write_dicom(cleaned.dataset)
        outputs.append((read_dataset(written), written, report, cleaned))

    for ds, written, report, cleaned in outputs:
        values = _all_values(ds)
        for secret in SECRETS:
            assert not any(secret in value for value in values), secret
        for uid in (original.StudyInstanceUID, original.SeriesInstanceUID,
                    original.SOPInstanceUID, original.FrameOfReferenceUID):  # fmt: skip
            assert not any(uid in value for value in values)
            assert uid.encode() not in written
        for raw in (b"GILDONG", b"SEOUL", b"HYBRIDMD TEST", "홍길동".encode()):
            assert raw not in written
        assert not any(elem.tag.is_private for elem in _walk(ds))
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.AnatomicRegionSequence[0].ReferencedSOPInstanceUID == uid_map(
            original.SOPInstanceUID
        )
        assert ds.LossyImageCompression == "01"  # the source was baseline JPEG
        assert report.needs_confirmation
        assert RISK_FOUND in report.risks
        assert not any(secret in str(report.as_dict()) for secret in SECRETS)
        assert cleaned.stored_pixels is not None
        assert np.array_equal(ds.pixel_array, cleaned.stored_pixels)
        after = _ocr(ds.pixel_array).upper()
        for word in ("HONG", "GILDONG", "1985", "12345678", "홍길동", "환자"):
            assert word not in after, word

    (a, *_), (b, *_) = outputs
    assert a.StudyInstanceUID == b.StudyInstanceUID == uid_map(original.StudyInstanceUID)
    assert a.SeriesInstanceUID == b.SeriesInstanceUID != original.SeriesInstanceUID
    assert a.SOPInstanceUID != b.SOPInstanceUID
    assert UID(a.StudyInstanceUID).is_valid


@needs_data
def test_pixels_outside_the_burned_text_are_untouched():
    first, _, _ = _upload_with_phi()
    image = read_image(first)
    cleaned, _ = deidentify_image(image, uid_map=UidMap())
    changed = np.argwhere(cleaned.pixels != image.pixels)
    assert changed.size
    assert changed[:, 0].max() < 200  # only the top band, where the text was burned
    assert np.array_equal(cleaned.pixels[300:], image.pixels[300:])
    assert cleaned.pixels[changed[:, 0], changed[:, 1]].max() == image.pixels.min()
