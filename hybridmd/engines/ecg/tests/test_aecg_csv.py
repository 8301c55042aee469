"""HL7 aECG XML and CSV text reading."""

from __future__ import annotations

import time

import numpy as np
import pytest

from hybridmd.engines.ecg import ECGReadError, read_ecg

AECG = """<?xml version="1.0" encoding="UTF-8"?>
<AnnotatedECG xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <component><series><code code="RHYTHM"/>
  <author><seriesAuthor><manufacturedSeriesDevice>
   <manufacturerModelName>M1</manufacturerModelName>
  </manufacturedSeriesDevice></seriesAuthor></author>
  <component><sequenceSet>
   <component><sequence><code code="TIME_ABSOLUTE"/><value xsi:type="GLIST_TS">
     <head value="20200102030405.000"/><increment value="{increment}" unit="{unit}"/>
   </value></sequence></component>
   <component><sequence><code code="MDC_ECG_LEAD_I"/><value xsi:type="SLIST_PQ">
     <origin value="0" unit="uV"/><scale value="5" unit="uV"/><digits>{digits_i}</digits>
   </value></sequence></component>
   <component><sequence><code code="MDC_ECG_LEAD_AVR"/><value xsi:type="SLIST_PQ">
     <origin value="10" unit="uV"/><scale value="1" unit="mV"/><digits>{digits_avr}</digits>
   </value></sequence></component>
  </sequenceSet></component>
 </series></component>
</AnnotatedECG>"""


def aecg(
    *, increment: str = "0.004", unit: str = "s", digits_i: str = "", digits_avr: str = ""
) -> bytes:
    digits_i = digits_i or " ".join(str(i % 7) for i in range(500))
    digits_avr = digits_avr or " ".join("0" for _ in range(500))
    return AECG.format(
        increment=increment, unit=unit, digits_i=digits_i, digits_avr=digits_avr
    ).encode()


def test_aecg_scale_origin_and_rate() -> None:
    ecg = read_ecg({"a.xml": aecg()})
    assert ecg.lead_names == ("I", "aVR")
    assert ecg.fs == 250.0
    assert ecg.start is not None
    assert ecg.start.isoformat() == "2020-01-02T03:04:05"
    assert ecg.leads["I"][:3].tolist() == [0.0, 0.005, 0.01]
    assert ecg.leads["aVR"][0] == pytest.approx(0.01)
    assert ecg.source_meta["device_model"] == "M1"


def test_aecg_increment_in_milliseconds() -> None:
    assert read_ecg({"a.xml": aecg(increment="2", unit="ms")}).fs == 500.0


def test_aecg_leads_of_different_length() -> None:
    with pytest.raises(ECGReadError, match=r"different numbers of samples \(I 500, AVR 3\)"):
        read_ecg({"a.xml": aecg(digits_avr="1 2 3")})


def test_aecg_non_numeric_digit() -> None:
    with pytest.raises(ECGReadError, match=r"Lead I in a\.xml holds 'x1'"):
        read_ecg({"a.xml": aecg(digits_i="1 2 x1")})


def test_xml_that_is_not_aecg() -> None:
    with pytest.raises(ECGReadError, match=r"not an HL7 aECG .* root element is <svg>"):
        read_ecg({"x.xml": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'})
    with pytest.raises(ECGReadError, match="not well-formed XML"):
        read_ecg({"x.xml": b"<AnnotatedECG><oops></AnnotatedECG>"})


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<AnnotatedECG xmlns="urn:hl7-org:v3">&lol9;</AnnotatedECG>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE AnnotatedECG [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<AnnotatedECG xmlns="urn:hl7-org:v3"><text>&secret;</text></AnnotatedECG>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entities_and_dtds_are_refused_without_expansion(payload: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(ECGReadError, match="DTD or entities") as caught:
        read_ecg({"evil.xml": payload})
    assert time.perf_counter() - started < 1.0
    assert "root:" not in str(caught.value)


# --- CSV ---------------------------------------------------------------------------


def test_csv_with_fs_comment_and_units() -> None:
    text = "# fs=500\n# unit=uV\n# recorded on a test bench\nI,II\n100,200\n-100,50\n"
    ecg = read_ecg({"e.csv": text.encode()})
    assert ecg.fs == 500.0
    assert ecg.leads["I"].tolist() == [0.1, -0.1]
    assert ecg.source_meta["header_comments"] == "recorded on a test bench"


@pytest.mark.parametrize(
    ("comment", "fs"),
    [("# fs: 250 Hz", 250.0), ("# sampling rate = 360", 360.0), ("#FS=1000hz", 1000.0)],
)
def test_csv_fs_comment_spellings(comment: str, fs: float) -> None:
    text = f"{comment}\n# units: µV\nV1;V2\n1;2\n3;4\n"
    ecg = read_ecg({"e.csv": text.encode()})
    assert ecg.fs == fs
    assert ecg.leads["V2"].tolist() == [0.002, 0.004]


def test_csv_time_column_in_seconds_and_milliseconds() -> None:
    rows = "\n".join(f"{i / 360:.5f}\t{np.sin(i / 9):.4f}" for i in range(720))
    ecg = read_ecg({"t.tsv": f"time\tMLII\n{rows}\n".encode()})
    assert ecg.fs == pytest.approx(360.0, rel=1e-4)
    assert ecg.lead_names == ("MLII",)
    rows = "\n".join(f"{i * 2},{i % 5}" for i in range(100))
    assert read_ecg({"t.csv": f"ms,II\n{rows}\n".encode()}).fs == pytest.approx(500.0)


def test_csv_uneven_time_column() -> None:
    times = [i * 0.002 for i in range(50)] + [0.2 + i * 0.002 for i in range(50)]
    rows = "\n".join(f"{t:.4f},0.1" for t in times)
    with pytest.raises(ECGReadError, match="not evenly spaced"):
        read_ecg({"t.csv": f"t,II\n{rows}\n".encode()})


def test_csv_without_rate() -> None:
    with pytest.raises(ECGReadError) as caught:
        read_ecg({"e.csv": b"I,II\n1,2\n3,4\n"})
    assert str(caught.value) == "Say the sampling rate: add a line '# fs=500' or give fs."
    assert read_ecg({"e.csv": b"I,II\n1,2\n3,4\n"}, fs=500).fs == 500.0


def test_csv_rates_that_disagree() -> None:
    with pytest.raises(ECGReadError, match="the fs given says 250 Hz but the '# fs' line says 500"):
        read_ecg({"e.csv": b"# fs=500\nI,II\n1,2\n3,4\n"}, fs=250)


def test_csv_row_with_wrong_field_count() -> None:
    header = ",".join(["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"])
    rows = ",".join(["0"] * 12) + "\n" + ",".join(["0"] * 8)
    with pytest.raises(ECGReadError, match="names 12 columns but row 4 has 8 fields"):
        read_ecg({"e.csv": f"# fs=500\n{header}\n{rows}\n".encode()})


def test_csv_non_numeric_cell() -> None:
    with pytest.raises(ECGReadError, match=r"Row 4, column II of e\.csv holds 'abc'"):
        read_ecg({"e.csv": b"# fs=500\nI,II\n1,2\n3,abc\n"})
    with pytest.raises(ECGReadError, match="use a decimal point"):
        read_ecg({"e.csv": b"# fs=500\nI;II\n1;2\n3;0,5\n"})


def test_csv_header_row_is_required() -> None:
    with pytest.raises(ECGReadError):
        read_ecg({"e.csv": b"# fs=500\n1,2\n3,4\n"})


def test_csv_empty_cell_is_a_gap() -> None:
    with pytest.raises(ECGReadError, match="Lead II has 1 missing"):
        read_ecg({"e.csv": b"# fs=500\nI,II\n1,2\n3,\n"})


def test_csv_column_units_in_header() -> None:
    ecg = read_ecg({"e.csv": b"# fs=500\nI [uV],II (mV)\n1000,2\n3000,4\n"})
    assert ecg.lead_names == ("I", "II")
    assert ecg.leads["I"].tolist() == [1.0, 3.0]


def test_csv_in_korean_excel_encoding_and_utf16() -> None:
    text = "# 심전도\n# fs=500\nI,II\n1,2\n3,4\n"
    assert read_ecg({"e.csv": text.encode("cp949")}).n_samples == 2
    assert read_ecg({"e.csv": text.encode("utf-16")}).n_samples == 2
