"""Wrap a photo as a DICOM Secondary Capture object, for forwarding to DICOM-only readers."""

from __future__ import annotations

import numpy as np
from pydicom import Dataset
from pydicom.dataset import FileMetaDataset
from pydicom.pixels.utils import set_pixel_data
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    ExplicitVRLittleEndian,
    SecondaryCaptureImageStorage,
    generate_uid,
)

from hybridmd.engines.imaging.model import Image


def to_secondary_capture(image: Image) -> Dataset:
    """A new Secondary Capture Image (1.2.840.10008.5.1.4.1.1.7) holding the photo's pixels.

    Every UID is new and the patient, study and equipment attributes that the IOD requires
    are present but empty: the object carries no identity, only pixels. Burned-in text in
    the pixels is the caller's business (run de-identification first).
    """
    if image.kind != "photo":
        raise ValueError("Only photos are wrapped as Secondary Capture; DICOM is forwarded as is.")
    pixels = image.pixels
    if pixels.ndim == 3:
        arr, photometric, bits = np.ascontiguousarray(pixels, dtype=np.uint8), "RGB", 8
    elif pixels.dtype == np.uint8:
        arr, photometric, bits = np.ascontiguousarray(pixels), "MONOCHROME2", 8
    else:
        arr = np.clip(np.rint(pixels), 0, 65535).astype(np.uint16)
        photometric, bits = "MONOCHROME2", min(16, max(8, image.bits_stored))

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID

    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    # Patient and General Study modules: Type 2, present and empty.
    for keyword in (
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        "StudyDate",
        "StudyTime",
        "ReferringPhysicianName",
        "StudyID",
        "AccessionNumber",
        "SeriesNumber",
        "InstanceNumber",
        "PatientOrientation",
    ):
        setattr(ds, keyword, None)
    ds.Modality = image.modality or "OT"
    ds.ConversionType = "WSD"  # made by a workstation
    if image.source_meta.get("deidentified") == "yes":
        ds.PatientIdentityRemoved = "YES"
    if image.source_meta.get("lossy") == "yes" or image.source_meta.get("format") == "JPEG":
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = "ISO_10918_1"
    set_pixel_data(ds, arr, photometric, bits, generate_instance_uid=False)
    return ds
