"""Archives and names as they arrive: traversal, bombs, nesting, lying headers."""

from __future__ import annotations

import contextlib
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybridmd.engines.intake.archives import IncomingFile, expand, safe_name
from hybridmd.engines.intake.errors import IntakeError
from hybridmd.engines.intake.records import group

MB = 2**20


def _zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\kim\\ecg.xml", "ecg.xml"),
        ("/abs/path/record.hea", "record.hea"),
        ("a/b/c.dcm", "c.dcm"),
        ("name\x00with\x07control.dcm", "namewithcontrol.dcm"),
    ],
)
def test_names_lose_their_directories(raw, expected):
    assert safe_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "..", "/", "dir/"])
def test_names_without_a_file_part_are_refused(raw):
    with pytest.raises(IntakeError, match="no usable name"):
        safe_name(raw)


def test_a_zip_is_replaced_by_its_entries_without_directories():
    data = _zip({"study/ecg/100.hea": b"100 2 360 650000\n", "../../evil.dat": b"\x00" * 10})
    files = expand([IncomingFile("export.zip", data)], max_total_bytes=MB)
    assert sorted(f.name for f in files) == ["100.hea", "evil.dat"]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    bomb = _zip({"zeros.dcm": b"\x00" * (50 * MB)})
    assert len(bomb) < MB
    with pytest.raises(IntakeError, match=r"ZIP bomb|more than"):
        expand([IncomingFile("bomb.zip", bomb)], max_total_bytes=10 * MB)


def test_a_nested_zip_is_refused():
    inner = _zip({"a.dcm": b"DICM"})
    with pytest.raises(IntakeError, match="another ZIP"):
        expand([IncomingFile("outer.zip", _zip({"inner.zip": inner}))], max_total_bytes=MB)


def test_a_damaged_zip_is_refused():
    data = _zip({"a.csv": b"I,II\n1,2\n"})
    with pytest.raises(IntakeError, match="damaged"):
        expand([IncomingFile("broken.zip", data[:30])], max_total_bytes=MB)


def test_the_total_size_is_bounded():
    with pytest.raises(IntakeError, match="more than"):
        expand([IncomingFile("a.dcm", b"x" * (2 * MB))], max_total_bytes=MB)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_named_zip_never_crash(data):
    with contextlib.suppress(IntakeError):
        expand([IncomingFile("x.zip", b"PK\x03\x04" + data)], max_total_bytes=MB)


def test_wfdb_files_are_grouped_by_their_header():
    header = (
        b"rec 2 360 1000\nrec.dat 212 200 11 1024 0 0 0 MLII\nrec.dat 212 200 11 1024 0 0 0 V5\n"
    )
    records, skipped = group(
        [
            IncomingFile("rec.hea", header),
            IncomingFile("rec.dat", b"\x00" * 3000),
            IncomingFile("rec.atr", b"\x00\x00"),
            IncomingFile("chest.dcm", b"DICM"),
        ]
    )
    by_name = {r.name: sorted(r.files) for r in records}
    assert by_name == {"rec": ["rec.dat", "rec.hea"], "chest.dcm": ["chest.dcm"]}
    assert [s.name for s in skipped] == ["rec.atr"]
