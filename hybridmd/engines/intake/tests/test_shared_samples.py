"""Every file under ../shared/data goes through intake: it loads, or is refused with the
reason this test names. Records are grouped the way an upload of the folder would be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hybridmd.engines.ecg import ECG
from hybridmd.engines.imaging.model import Image
from hybridmd.engines.intake.archives import IncomingFile
from hybridmd.engines.intake.errors import IntakeError
from hybridmd.engines.intake.pipeline import read_record
from hybridmd.engines.intake.records import group
from hybridmd.engines.shared_data import MISSING_REASON as SHARED_DATA_MISSING
from hybridmd.engines.shared_data import shared_data_or_placeholder

DATA = shared_data_or_placeholder()
FOLDERS = sorted({p.parent for p in DATA.rglob("*") if p.is_file()}) if DATA.is_dir() else []

NOT_A_RECORDING = "not an ECG or image file"
# Documents, labels and indexes that come with the samples: refused as such.
DOCUMENTS = re.compile(
    r"(\.md|\.txt|\.json|^README|^RECORDS|^REFERENCE\.csv|^ludb\.csv|^labels\.csv)$|^README$"
)
# Real samples refused on purpose, and why.
REFUSED = {
    "v102s": "missing or invalid samples",  # isolated WFDB invalid samples in lead II
    "chrKoreanMulti.dcm": "no image",  # a character-set fixture without pixel data
}


def _expected_kind(folder: Path) -> type:
    return Image if folder.parts[-2:-1] == ("xray",) or folder.name == "ecg_images" else ECG


@pytest.mark.skipif(not FOLDERS, reason=SHARED_DATA_MISSING)
@pytest.mark.parametrize("folder", FOLDERS, ids=[str(f.relative_to(DATA)) for f in FOLDERS])
def test_every_sample_loads_or_is_refused_with_its_reason(folder: Path) -> None:
    files = [IncomingFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()]
    records, _skipped = group(files)
    loaded = 0
    for record in records:
        expected_refusal = REFUSED.get(record.name) or (
            NOT_A_RECORDING if DOCUMENTS.search(record.name) else None
        )
        if expected_refusal is None:
            item = read_record(record)
            assert isinstance(item, _expected_kind(folder)), record.name
            loaded += 1
        else:
            with pytest.raises(IntakeError, match=expected_refusal):
                read_record(record)
    total = sum(1 for p in folder.iterdir() if p.suffix in {".hea", ".dcm", ".xml", ".png", ".jpg"})
    if total:
        assert loaded, f"nothing in {folder.name} loaded"
