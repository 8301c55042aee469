"""Whatever bytes arrive, read_ecg returns an ECG or raises ECGReadError, nothing else."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hybridmd.engines.ecg import ECG, ECGReadError, read_ecg, write_dicom_waveform, write_wfdb

from .synthetic import make_ecg

# Corrupt DICOM makes pydicom warn before it fails; the warnings are expected here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FUZZ = settings(
    max_examples=int(os.environ.get("ECG_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SMALL = make_ecg(("I", "II"), fs=250.0, seconds=0.5)
WFDB = write_wfdb(SMALL, "r")
DICOM = write_dicom_waveform(SMALL, study_uid="1.2.3", series_uid="1.2.3.4", sop_uid="1.2.3.5")
AECG = (
    b'<?xml version="1.0"?><AnnotatedECG xmlns="urn:hl7-org:v3"><component><series>'
    b'<code code="RHYTHM"/><component><sequenceSet><component><sequence>'
    b'<code code="TIME_RELATIVE"/><value><head value="0"/><increment value="0.004" unit="s"/>'
    b'</value></sequence></component><component><sequence><code code="MDC_ECG_LEAD_II"/>'
    b'<value><origin value="0" unit="uV"/><scale value="5" unit="uV"/><digits>1 2 3 4 5 6'
    b"</digits></value></sequence></component></sequenceSet></component></series></component>"
    b"</AnnotatedECG>"
)
CSV = b"# fs=250\ntime,I,II\n0,0.1,0.2\n0.004,0.1,0.3\n0.008,0.2,0.1\n"

NAMES = ["x.hea", "x.dat", "x.mat", "x.dcm", "x.xml", "x.csv", "x.txt", "x", "x.png"]


def attempt(files: dict[str, bytes], **kwargs: float) -> None:
    message = "no error"
    try:
        result = read_ecg(files, **kwargs)
    except ECGReadError as exc:
        message = str(exc)
    else:
        assert isinstance(result, ECG)
    assert message  # a refusal always says why


def mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    buffer = bytearray(data)
    for position, value in edits:
        buffer[position % len(buffer)] = value
    return bytes(buffer[:cut] if cut is not None else buffer)


edits = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8)
cuts = st.none() | st.integers(0, 4000)


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=3000))
def test_arbitrary_bytes_under_any_name(name: str, data: bytes) -> None:
    attempt({name: data})


# Most mutated records stay decodable and go through wfdb and a temporary folder (~10 ms).
@settings(FUZZ, max_examples=max(1, FUZZ.max_examples * 2 // 3))
@given(edits=edits, cut=cuts, target=st.sampled_from(["r.hea", "r.dat"]))
def test_mutated_wfdb_record(edits, cut, target: str) -> None:
    attempt({**WFDB, target: mutate(WFDB[target], edits, cut)})


HEADER_PARTS = st.fixed_dictionaries(
    {
        "nsig": st.integers(0, 4),
        "fs": st.sampled_from(["", "0", "250", "1e9", "nan", "-1", "250/2(3)"]),
        "nsamp": st.sampled_from(["", "0", "125", "100", "99999999999"]),
        "fmt": st.sampled_from(
            [
                "16",
                "212",
                "80",
                "8",
                "24",
                "32",
                "310",
                "311",
                "61",
                "160",
                "16x2",
                "16:3",
                "16+7",
                "999",
            ]
        ),
        "gain": st.sampled_from(["", "200", "0", "-5", "1e400", "200(5)/uV", "7/NU", "1/mV"]),
        "file": st.sampled_from(["r.dat", "other.dat", "../r.dat"]),
    }
)


@FUZZ
@given(parts=HEADER_PARTS, dat=st.binary(max_size=600))
def test_generated_wfdb_headers(parts: dict, dat: bytes) -> None:
    lines = [f"r {parts['nsig']} {parts['fs']} {parts['nsamp']}".strip()]
    lines += [
        f"{parts['file']} {parts['fmt']} {parts['gain']} 12 0 0 0 0 L{i}".replace("  ", " ")
        for i in range(parts["nsig"])
    ]
    attempt({"r.hea": "\n".join(lines).encode(), "r.dat": dat})


@FUZZ
@given(edits=edits, cut=cuts)
def test_mutated_dicom(edits, cut) -> None:
    attempt({"x.dcm": mutate(DICOM, edits, cut)})


@FUZZ
@given(edits=edits, cut=cuts)
def test_mutated_aecg(edits, cut) -> None:
    attempt({"x.xml": mutate(AECG, edits, cut)})


@FUZZ
@given(
    text=st.text(alphabet="0123456789.,;\t-e# fsunit=mVuVtime\n", max_size=300),
    fs=st.none() | st.sampled_from([0.0, 250.0, float("nan"), 1e9]),
)
def test_generated_csv(text: str, fs: float | None) -> None:
    files = {"x.csv": CSV + text.encode()}
    if fs is None:
        attempt(files)
    else:
        attempt(files, fs=fs)
