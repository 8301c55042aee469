"""WFDB reading: quirks that must work and every kind of broken record, each refused clearly."""

from __future__ import annotations

import struct
import tracemalloc

import numpy as np
import pytest

from hybridmd.engines.ecg import ECGReadError, read_ecg, sniff_ecg, write_wfdb

from .synthetic import make_ecg


@pytest.fixture(scope="module")
def record() -> dict[str, bytes]:
    return write_wfdb(make_ecg(("I", "II"), fs=500.0, seconds=2.0), "rec")


def with_header(record: dict[str, bytes], text: str) -> dict[str, bytes]:
    return {**record, "rec.hea": text.encode()}


def header_lines(record: dict[str, bytes]) -> list[str]:
    return record["rec.hea"].decode().splitlines()


def test_written_record_reads_back(record: dict[str, bytes]) -> None:
    ecg = read_ecg(record)
    assert ecg.lead_names == ("I", "II")
    assert (ecg.fs, ecg.n_samples) == (500.0, 1000)


def test_crlf_cr_comments_and_nul_bytes_are_tolerated(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    text = "# leading comment\r\n" + lines[0] + "\r\n" + lines[1] + "\r\r\n" + lines[2] + "\n"
    ecg = read_ecg({**record, "rec.hea": text.encode() + b"# note\x00\x00\n"})
    assert ecg.n_samples == 1000
    assert "leading comment" in ecg.source_meta["header_comments"]


def test_date_before_time_is_understood(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    lines[0] += " 2014-05-08 05:05:15"
    ecg = read_ecg(with_header(record, "\n".join(lines)))
    assert ecg.start is not None
    assert ecg.start.isoformat() == "2014-05-08T05:05:15"


def test_standard_time_and_date(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    lines[0] += " 12:30:05.250 31/12/1999"
    ecg = read_ecg(with_header(record, "\n".join(lines)))
    assert ecg.start is not None
    assert ecg.start.isoformat() == "1999-12-31T12:30:05.250000"


def test_unparseable_start_is_kept_as_text_only(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    lines[0] += " 99:99:99 yesterday"
    ecg = read_ecg(with_header(record, "\n".join(lines)))
    assert ecg.start is None
    assert ecg.source_meta["header_start"] == "99:99:99 yesterday"


def test_truncated_dat_is_refused(record: dict[str, bytes]) -> None:
    files = {**record, "rec.dat": record["rec.dat"][:1998]}
    with pytest.raises(ECGReadError, match=r"holds only 499 .*truncated"):
        read_ecg(files)


def test_header_sample_count_not_matching_the_file(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    lines[0] = "rec 2 500 400"
    with pytest.raises(ECGReadError, match="sample count or sampling rate does not match"):
        read_ecg(with_header(record, "\n".join(lines)))


@pytest.mark.parametrize(
    ("fs", "message"), [("0", "impossible"), ("36000", "probably wrong"), ("abc", "sampling rate")]
)
def test_wrong_sampling_rate_in_header(record: dict[str, bytes], fs: str, message: str) -> None:
    lines = header_lines(record)
    lines[0] = f"rec 2 {fs} 1000"
    with pytest.raises(ECGReadError, match=message):
        read_ecg(with_header(record, "\n".join(lines)))


def test_sampling_rate_argument_must_agree(record: dict[str, bytes]) -> None:
    with pytest.raises(ECGReadError, match="says the sampling rate is 500 Hz, but 360 Hz"):
        read_ecg(record, fs=360)
    assert read_ecg(record, fs=500).fs == 500.0


def test_header_says_more_signals_than_the_dat_holds(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    signal = lines[1]
    text = "\n".join(["rec 12 500 1000", *[signal] * 12])
    with pytest.raises(ECGReadError, match=r"The WFDB header says 12 signals but rec\.dat holds 2"):
        read_ecg(with_header(record, text))


def test_header_lists_fewer_signal_lines_than_it_says(record: dict[str, bytes]) -> None:
    lines = header_lines(record)
    with pytest.raises(ECGReadError, match="says 3 signals but lists only 2 signal lines"):
        read_ecg(with_header(record, "\n".join(["rec 3 500 1000", *lines[1:]])))


def test_mat_header_with_wrong_signal_count() -> None:
    samples = np.zeros((1000, 2), dtype="<i2")
    mat = struct.pack("<5i", 30, 2, 1000, 0, 4) + b"val\x00" + samples.tobytes()
    lines = ["m 12 500 1000"] + ["m.mat 16+24 1000/mV 16 0 0 0 0 X"] * 12
    with pytest.raises(ECGReadError, match=r"says 12 signals but m\.mat holds 2"):
        read_ecg({"m.hea": "\n".join(lines).encode(), "m.mat": mat})


def test_mat_v4_file_reads() -> None:
    samples = (np.arange(2000).reshape(1000, 2) % 50 - 25).astype("<i2")
    mat = struct.pack("<5i", 30, 2, 1000, 0, 4) + b"val\x00" + samples.tobytes()
    text = "m 2 500 1000\nm.mat 16+24 1000/mV 16 0 0 0 0 I\nm.mat 16+24 1000/mV 16 0 0 0 0 II\n"
    ecg = read_ecg({"m.hea": text.encode(), "m.mat": mat})
    assert np.allclose(ecg.leads["II"], samples[:, 1] / 1000)


def test_all_invalid_lead_is_dropped_and_recorded() -> None:
    samples = np.zeros((500, 2), dtype="<i2")
    samples[:, 1] = -32768  # WFDB format 16 "invalid sample"
    text = "r 2 250 500\nr.dat 16 200/mV 16 0 0 0 0 I\nr.dat 16 200/mV 16 0 0 0 0 V1\n"
    ecg = read_ecg({"r.hea": text.encode(), "r.dat": samples.tobytes()})
    assert ecg.lead_names == ("I",)
    assert ecg.source_meta["dropped_leads"] == '["V1"]'


def test_scattered_invalid_samples_are_refused() -> None:
    samples = np.zeros((500, 2), dtype="<i2")
    samples[[10, 20], 0] = -32768
    text = "r 2 250 500\nr.dat 16 200/mV 16 0 0 0 0 I\nr.dat 16 200/mV 16 0 0 0 0 V1\n"
    with pytest.raises(ECGReadError, match="Lead I has 2 missing or invalid samples"):
        read_ecg({"r.hea": text.encode(), "r.dat": samples.tobytes()})


def test_format_212_and_80_decode() -> None:
    # Two 12-bit samples, 100 and -5, packed in format 212; one signal.
    a, b = 100, -5 & 0xFFF
    packed = bytes([a & 0xFF, ((a >> 8) & 0x0F) | ((b >> 8) << 4), b & 0xFF]) * 250
    ecg = read_ecg({"p.hea": b"p 1 250 500\np.dat 212 100/mV 12 0 0 0 0 II\n", "p.dat": packed})
    assert ecg.leads["II"][:2].tolist() == [1.0, -0.05]
    offset = bytes([128 + 20, 128 - 20]) * 250
    ecg = read_ecg({"q.hea": b"q 1 250 500\nq.dat 80 100/mV 8 0 0 0 0 II\n", "q.dat": offset})
    assert ecg.leads["II"][:2].tolist() == [0.2, -0.2]


def test_missing_signal_file_and_missing_header() -> None:
    with pytest.raises(
        ECGReadError, match=r"refers to the signal file r\.dat, which was not uploaded"
    ):
        read_ecg({"r.hea": b"r 1 250 500\nr.dat 16 200 16 0 0 0 0 I\n"})
    with pytest.raises(ECGReadError, match=r"needs its \.hea header file"):
        read_ecg({"r.dat": bytes(range(256)) * 8})


def test_non_voltage_signals_only_is_refused() -> None:
    text = b"r 1 250 500\nr.dat 16 200/mmHg 16 0 0 0 0 ABP\n"
    with pytest.raises(ECGReadError, match="none of its signals is in volts"):
        read_ecg({"r.hea": text, "r.dat": bytes(1000)})


@pytest.mark.parametrize(
    "name", ["../x.hea", "/etc/x.hea", "a/b.hea", "..\\x.hea", "C:x.hea", "~x.hea", "..", ""]
)
def test_path_traversal_names_are_refused(record: dict[str, bytes], name: str) -> None:
    with pytest.raises(ECGReadError, match="name"):
        read_ecg({name: record["rec.hea"], "rec.dat": record["rec.dat"]})


@pytest.mark.parametrize("signal_file", ["../rec.dat", "/etc/rec.dat", "sub/rec.dat", "..dat"])
def test_header_cannot_point_outside_the_upload(record: dict[str, bytes], signal_file: str) -> None:
    text = f"rec 1 500 1000\n{signal_file} 16 1000/mV 16 0 0 0 0 I\n"
    with pytest.raises(ECGReadError, match="unsafe path"):
        read_ecg(with_header(record, text))


def test_huge_claimed_length_is_refused_without_allocating() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ECGReadError, match="limit is 50,000,000 samples"):
            read_ecg(
                {
                    "big.hea": b"big 12 1000 5000000\nbig.dat 16 200 16 0 0 0 0 I\n"
                    + b"big.dat 16 200 16 0 0 0 0 I\n" * 11,
                    "big.dat": bytes(24),
                }
            )
        with pytest.raises(ECGReadError, match="limit is 24 hours"):
            read_ecg(
                {
                    "long.hea": b"long 1 50 4320001\nlong.dat 16 200 16 0 0 0 0 I\n",
                    "long.dat": bytes(2),
                }
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


def test_huge_mat_claim_without_header_count_is_refused() -> None:
    mat = struct.pack("<5i", 30, 12, 2_000_000_000, 0, 4) + b"val\x00" + bytes(100)
    lines = ["m 12 500"] + ["m.mat 16+24 1000/mV 16 0 0 0 0 X"] * 12
    with pytest.raises(ECGReadError, match="limit"):
        read_ecg({"m.hea": "\n".join(lines).encode(), "m.mat": mat})


def test_multi_segment_and_unsupported_formats_are_refused() -> None:
    with pytest.raises(ECGReadError, match="multi-segment"):
        read_ecg({"m.hea": b"m/2 1 250 1000\nseg1 500\nseg2 500\n"})
    with pytest.raises(ECGReadError, match="storage format 508"):
        read_ecg({"f.hea": b"f 1 250 1000\nf.dat 508 200 8 0 0 0 0 I\n", "f.dat": bytes(10)})


def test_one_record_per_call(record: dict[str, bytes]) -> None:
    other = {"other.hea": record["rec.hea"].replace(b"rec", b"other")}
    with pytest.raises(ECGReadError, match="one recording at a time"):
        read_ecg({**record, **other})


def test_sniffing_is_by_content() -> None:
    assert (
        sniff_ecg("anything.txt", b"100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII")
        == "wfdb-header"
    )
    assert sniff_ecg("x.dat", b"\x01\x02\x00\xff" * 10) == "wfdb-signal"
    assert sniff_ecg("x.mat", struct.pack("<5i", 30, 1, 10, 0, 4)) == "wfdb-signal"
    assert sniff_ecg("x.bin", b"\x01\x02\x00\xff" * 10) is None
    assert sniff_ecg("x.hea", b"\x89PNG\r\n\x1a\n....") is None
    assert sniff_ecg("x", b"\x00" * 128 + b"DICM" + b"\x02\x00") == "dicom"
    assert (
        sniff_ecg("x.txt", b'<?xml version="1.0"?>\n<AnnotatedECG xmlns="urn:hl7-org:v3">')
        == "hl7-aecg"
    )
    assert sniff_ecg("x.txt", b"# fs=500\nI,II\n0.1,0.2\n") == "csv"
    assert sniff_ecg("REFERENCE.csv", b"A00001,N\nA00002,N\n") is None
