"""De-identification of Korean/English clinical text and file names."""

from __future__ import annotations

import dataclasses
import datetime
import json
import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from hybridmd.engines.documents.deid import (
    Identifier,
    find_identifiers,
    redact,
    redact_filename,
    rrn_checksum_ok,
)

_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def with_check_digit(first12: str) -> str:
    total = sum(w * int(d) for w, d in zip(_WEIGHTS, first12, strict=True))
    return first12 + str((11 - total % 11) % 10)


def without_check_digit(first12: str) -> str:
    right = with_check_digit(first12)[-1]
    return first12 + str((int(right) + 1) % 10)


VALID = with_check_digit("850302123456")  # 850302-1234561-style, checksum right
INVALID = without_check_digit("850302123456")


def kinds(text: str) -> list[str]:
    return [found.kind for found in find_identifiers(text)]


def spans(text: str) -> list[tuple[str, str, str]]:
    return [(f.kind, text[f.start : f.end], f.certainty) for f in find_identifiers(text)]


def report_text(report: object) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False)  # type: ignore[attr-defined]


# -- 주민등록번호 ---------------------------------------------------------------------


@pytest.mark.parametrize("sep", ["-", "", " ", " - ", "–"])
def test_rrn_with_a_valid_check_digit_is_certain(sep):
    text = f"주민번호 {VALID[:6]}{sep}{VALID[6:]} 확인"
    assert spans(text) == [("rrn", f"{VALID[:6]}{sep}{VALID[6:]}", "certain")]


def test_rrn_without_a_valid_check_digit_is_likely():
    """Numbers issued since October 2020 have no check digit: a valid date still counts."""
    assert rrn_checksum_ok(VALID)
    assert not rrn_checksum_ok(INVALID)
    text = f"pt {INVALID[:6]}-{INVALID[6:]} f/u"
    assert spans(text) == [("rrn", f"{INVALID[:6]}-{INVALID[6:]}", "likely")]
    redacted, report = redact(text)
    assert redacted == "pt [주민등록번호] f/u"
    assert report.risks == [
        "A number that looks like a resident registration number was removed (text 3–17); check it."
    ]


def test_rrn_after_its_own_label_is_certain_even_without_check_digit():
    assert spans(f"주민등록번호: {INVALID[:6]}-{INVALID[6:]}")[0][2] == "certain"


@pytest.mark.parametrize(
    "number",
    [
        with_check_digit("000229312345"),  # 29 Feb 2000, born in the 2000s
        with_check_digit("991231212345"),
        with_check_digit("850302512345"),  # 외국인등록번호, 1900s
        with_check_digit("100101812345"),  # 외국인등록번호, 2000s
        with_check_digit("850302912345"),  # 1800s
    ],
)
def test_rrn_gender_and_century_digits(number):
    assert kinds(f"{number[:6]}-{number[6:]}") == ["rrn"]


@pytest.mark.parametrize(
    "number",
    [
        with_check_digit("851332123456"),  # month 13
        with_check_digit("850230123456"),  # 30 February
        with_check_digit("010229312345"),  # 29 Feb 2001 (not a leap year)
        with_check_digit("000229112345"),  # 29 Feb 1900 (not a leap year either)
    ],
)
def test_rrn_needs_a_real_birth_date(number):
    assert kinds(f"{number[:6]}-{number[6:]}") == []


def test_rrn_inside_a_longer_number_is_not_an_rrn():
    assert kinds(f"1{VALID}2") == []


def test_korean_product_barcode_is_not_an_rrn():
    assert kinds("약품 표준코드 8806500123453 처방") == []


@pytest.mark.parametrize(
    "masked", ["850302-1******", "850302-*******", "850302-1xxxxxx", "850302-1●●●●●●"]
)
def test_masked_rrn_still_gives_birth_date_and_sex(masked):
    text = f"주민번호 {masked} 확인"
    assert spans(text) == [("rrn", masked, "certain")]
    assert redact(text)[0] == "주민번호 [주민등록번호] 확인"


# -- phones ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "010-1234-5678",
        "010.1234.5678",
        "010 1234 5678",
        "01012345678",
        "011-123-4567",
        "02-123-4567",
        "(02) 1234-5678",
        "02)1234-5678",
        "031-123-4567",
        "064 712 3456",
        "070-1234-5678",
        "0505-123-4567",
        "+82 10-1234-5678",
        "+82-2-123-4567",
        "+821012345678",
        "+82 (0)10 1234 5678",
        "0082-10-1234-5678",
    ],
)
def test_personal_phone_numbers(phone):
    text = f"보호자 연락 {phone}로 부탁"
    assert spans(text) == [("phone", phone, "certain")]
    assert redact(text)[0] == "보호자 연락 [전화번호]로 부탁"


@pytest.mark.parametrize(
    "text",
    [
        "예약 1588-1234",
        "콜센터 1577 1000",
        "연락처 1644-1234",
        "080-123-4567 무료",
        "BP 120/80, HR 72, Hb 12.3, PLT 234",
        "검사일 2024-03-02",
        "Cr 0.9 mg/dL",
    ],
)
def test_business_numbers_and_lab_values_are_not_phones(text):
    assert kinds(text) == []


def test_a_local_number_after_a_phone_label():
    assert spans("연락처: 123-4567") == [("phone", "123-4567", "certain")]
    assert spans("Tel. 1234 5678") == [("phone", "1234 5678", "certain")]


def test_a_landline_without_separators_is_likely():
    assert spans("전화 0212345678") == [("phone", "0212345678", "likely")]


# -- patient numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("등록번호 12345678", "12345678"),
        ("환자번호: 00123456", "00123456"),
        ("병록번호 9876543", "9876543"),
        ("차트번호(12345678)", "12345678"),
        ("진료번호 : 55512345", "55512345"),
        ("수진자번호 123456", "123456"),
        ("MRN# 1234567", "1234567"),
        ("mrn 1234567", "1234567"),
        ("Pt. ID: A1234567", "A1234567"),
        ("Patient ID AB-12345", "AB-12345"),
        ("ID: 98765", "98765"),
    ],
)
def test_patient_numbers_after_a_label(text, value):
    assert spans(text) == [("patient_id", value, "certain")]


@pytest.mark.parametrize(
    "text",
    [
        "환자번호 7",  # a case number in a series, not a record number
        "등록번호 미상",
        "사업자등록번호 123-45-67890",
        "ID card 확인",
        "Patient identified 1234",
    ],
)
def test_not_patient_numbers(text):
    assert kinds(text) == []


def test_rrn_after_its_label_is_not_a_patient_number():
    assert kinds(f"주민등록번호 {VALID[:6]}-{VALID[6:]}") == ["rrn"]


# -- dates of birth ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("생년월일: 1958-03-02", "1958-03-02"),
        ("생년월일 1958. 3. 2.", "1958. 3. 2."),
        ("생년월일(YYMMDD): 580302", "580302"),
        ("생일 3월 2일", "3월 2일"),
        ("DOB 1958/03/02", "1958/03/02"),
        ("D.O.B. 02/03/1958", "02/03/1958"),
        ("Birth: 1958년 3월 2일", "1958년 3월 2일"),
        ("Date of birth: March 2, 1958", "March 2, 1958"),
        ("DOB: 2 Mar 1958", "2 Mar 1958"),
        ("dob 19580302", "19580302"),
    ],
)
def test_birth_dates_after_a_label(text, value):
    assert spans(text) == [("birth_date", value, "certain")]


@pytest.mark.parametrize(
    "text",
    [
        "검사일 2024-03-02",
        "65세 남자 흉통, 2024-03-02 CAG 시행",
        "환자 (85세/남) 2024.03.02 입원",
        "Birth weight 3.2 kg",
        "Admitted 2024-03-02, discharged 2024-03-09",
    ],
)
def test_clinical_dates_and_ages_are_not_identifiers(text):
    assert kinds(text) == []
    assert redact(text)[0] == text


# -- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "certainty"),
    [
        ("환자명: 홍길동 (M/65)", "홍길동", "certain"),
        ("성명 김철수", "김철수", "certain"),
        ("이름: 이영희님 내원", "이영희", "certain"),
        ("성명: 남궁민수", "남궁민수", "certain"),
        ("환자명 홍길동은 흉통으로", "홍길동", "certain"),
        ("환자명: 김하은", "김하은", "certain"),
        ("환자명: 김○○", "김○○", "certain"),
        ("성명: 홍 길동", "홍 길동", "certain"),
        ("환자 박민수 내원", "박민수", "likely"),
        ("보호자(딸) 김영희 동의", "김영희", "likely"),
        ("보호자: 딸 김영희", "김영희", "certain"),
        ("환자: 홍길동", "홍길동", "certain"),
        ("Patient name: HONG Gil-dong, 65/M", "HONG Gil-dong", "certain"),
        ("Name: Gildong Hong was admitted", "Gildong Hong", "certain"),
        ("Name: hong gildong was seen", "hong gildong", "certain"),
        ("Patient: Hong Gildong", "Hong Gildong", "certain"),
        ("Patient name: Mr. Hong", "Hong", "certain"),
        ("Name: Hong, Gildong (M/65)", "Hong, Gildong", "certain"),
        ("환자명: HONG Gil-dong", "HONG Gil-dong", "certain"),
        ("환자명: 홍길동(Hong Gildong)", "홍길동(Hong Gildong)", "certain"),
        ("Patient name: Gildong Hong (홍길동)", "Gildong Hong (홍길동)", "certain"),
    ],
)
def test_names_after_a_label(text, name, certainty):
    assert spans(text) == [("name", name, certainty)]


@pytest.mark.parametrize(
    "text",
    [
        "환자 상태 양호",
        "환자 이송함",
        "환자는 65세 남자",
        "당뇨환자 관리",
        "환자 및 보호자에게 설명함",
        "보호자 동의 하에 시행",
        "환자 가족에게 설명",
        "이름 변경 요청",
        "환자명: 미상",
        "성명: 환자",
        "Name: Unknown",
        "Patient presented with chest pain",
        "Patient: Male, 65",
        "Patient: Korean man, 65",
        "Patient: presented with dyspnea",
        "환자: CAG 시행 후 안정",
        "성명서 제출",
        "환자 CAG 시행",
    ],
)
def test_not_names(text):
    assert kinds(text) == []


def test_a_name_does_not_run_into_the_next_label():
    text = "Name: John Smith DOB 1958-03-02"
    assert spans(text) == [
        ("name", "John Smith", "certain"),
        ("birth_date", "1958-03-02", "certain"),
    ]
    assert spans("환자 이름: 홍길동") == [("name", "홍길동", "certain")]


# -- e-mail and addresses --------------------------------------------------------------


def test_email():
    assert spans("메일 hong.gildong+cxr@example.co.kr 로") == [
        ("email", "hong.gildong+cxr@example.co.kr", "certain")
    ]
    assert spans("Send to hong@example.com.") == [("email", "hong@example.com", "certain")]
    assert kinds("@hong 님 and a@b and user@localhost") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "주소: 서울특별시 강남구 테헤란로 123 (역삼동)",
            "서울특별시 강남구 테헤란로 123 (역삼동)",
        ),
        ("주소 경기도 성남시 분당구 판교역로 235", "경기도 성남시 분당구 판교역로 235"),
        ("주소: 부산 해운대구 해운대로 5, 연락처 010-1234-5678", "부산 해운대구 해운대로 5"),
        ("Address: 123 Main St, Seoul", "123 Main St, Seoul"),
    ],
)
def test_addresses_after_a_label_up_to_the_end_of_the_line(text, value):
    assert spans(text)[0] == ("address", value, "certain")


@pytest.mark.parametrize(
    "text",
    ["주소: 비공개", "주소지 관할 보건소에 신고", "We address the issue", "주소 변경 후 운동"],
)
def test_not_addresses(text):
    assert kinds(text) == []


# -- redact ------------------------------------------------------------------------


def test_redact_mixed_korean_english_note():
    text = "환자명: 홍길동 (M/65), 등록번호 12345678, 010-1234-5678로 연락"
    redacted, report = redact(text)
    assert redacted == "환자명: [이름] (M/65), 등록번호 [환자번호], [전화번호]로 연락"
    assert [c.where for c in report.changes] == ["text 5–8", "text 22–30", "text 32–45"]
    assert {c.action for c in report.changes} == {"redacted"}
    assert "phone number" in report.changes[2].detail
    assert report.risks == []
    assert report.needs_confirmation


def test_redact_english_note():
    text = "Pt. ID: A1234567, DOB 1958-03-02, e-mail hong@example.com"
    assert redact(text)[0] == "Pt. ID: [환자번호], DOB [생년월일], e-mail [이메일]"


def test_redact_keeps_clinical_dates_and_ages():
    text = "65세 남자 흉통, 2024-03-02 CAG 시행. (85세/남) 환자 상태 양호."
    redacted, report = redact(text)
    assert redacted == text
    assert not report.needs_confirmation


def test_reports_never_carry_values():
    text = (
        f"성명: 홍길동\n주민등록번호: {VALID[:6]}-{VALID[6:]}\n등록번호 12345678\n"
        f"생년월일 1985-03-02\n주소: 서울시 강남구 테헤란로 123\nhong@example.com\n"
        f"010-9876-5432, {INVALID}"
    )
    redacted, report = redact(text)
    dumped = report_text(report)
    for value in ("홍길동", VALID[6:], INVALID, "12345678", "1985", "테헤란로", "hong", "9876"):
        assert value not in redacted
        assert value not in dumped
    assert len(report.changes) == 8
    assert len(report.risks) == 1


def test_redact_only_some_kinds():
    text = "환자명: 홍길동, 010-1234-5678"
    assert redact(text, kinds={"phone"})[0] == "환자명: 홍길동, [전화번호]"
    assert redact(text, kinds=[])[0] == text
    assert redact(text, kinds="name")[0] == "환자명: [이름], 010-1234-5678"
    with pytest.raises(ValueError, match="'ssn'"):
        redact(text, kinds={"ssn"})


def test_overlapping_finds_are_covered_whole():
    text = "주소: 서울시 강남구 테헤란로 123 010-1234-5678"
    assert redact(text)[0] == "주소: [주소]"


def test_identifier_is_frozen_and_checked():
    found = Identifier("rrn", 0, 14, "certain")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.start = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="kind"):
        Identifier("ssn", 0, 3, "certain")


# -- file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (f"홍길동_{VALID[:6]}-{VALID[6:]}_CXR.dcm", "CXR.dcm"),
        ("ECG_김철수_010-1234-5678.csv", "ECG.csv"),
        ("patient 12345678 chest.png", "patient_chest.png"),
        ("010_1234_5678_김철수_echo.mp4", "echo.mp4"),
        ("CXR-PA_20240302.dcm", "CXR-PA_20240302.dcm"),
        ("심전도_20240302_153000.xml", "심전도_20240302_153000.xml"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\홍길동\\scan.pdf", "scan.pdf"),
        ("홍길동_850302-1234567.dcm", "file.dcm"),
        ("..", "file"),
        ("", "file"),
        (".png", "file.png"),
        ("..png", "file.png"),
        ("scan.png. ", "scan.png"),
        ("study.nii.gz", "study.nii.gz"),
        ("report.01012345678", "report"),
        ("a  b__c--d.txt", "a_b_c_d.txt"),
        ("DOB_19580302_lab.pdf", "DOB_lab.pdf"),
        ("hong.gildong@example.com_ECG.pdf", "ECG.pdf"),
        ("김철수.010.1234.5678.txt", "file.txt"),
    ],
)
def test_redact_filename(name, expected):
    assert redact_filename(name)[0] == expected


def test_filename_report_says_what_not_which():
    name = f"홍길동_{VALID[:6]}-{VALID[6:]}_CXR.dcm"
    _, report = redact_filename(f"uploads/{name}")
    dumped = report_text(report)
    for value in ("홍길동", VALID[6:], "uploads"):
        assert value not in dumped
    assert [c.detail for c in report.changes] == [
        "directory part",
        "name",
        "resident registration number",
    ]


def test_filename_is_normalised_and_safe():
    decomposed = unicodedata.normalize("NFD", "ECG_김철수_010-1234-5678.csv")
    assert redact_filename(decomposed)[0] == "ECG.csv"
    assert redact_filename("scan\u202egnp.exe")[0] == "scan_gnp.exe"
    assert redact_filename('a<b>c:"d|e?f*.txt')[0] == "a_b_c_d_e_f.txt"


def test_filename_length_is_limited():
    name, report = redact_filename("가" * 300 + ".png")
    assert len(name) <= 100
    assert name.endswith(".png")
    assert len(name.encode()) <= 255
    assert any(c.action == "shortened" for c in report.changes)
    assert len(redact_filename("x" * 500)[0]) == 100


def test_a_name_left_in_a_filename_is_a_risk():
    name, report = redact_filename("김철수_CXR.dcm")
    assert name == "김철수_CXR.dcm"
    assert report.risks


# -- properties ----------------------------------------------------------------------

_PIECES = [
    "환자명: ", "성명 ", "이름:", "환자 ", "보호자(딸) ", "등록번호 ", "MRN ", "Pt. ID: ", "ID:",
    "DOB ", "생년월일: ", "주소: ", "연락처 ", "Name: ", "Patient name: ", "주민번호 ",
    "홍길동", "김철수님", "남궁민수", "HONG Gil-dong", "Gildong", "서울시 ", "강남구 ", "테헤란로 ",
    "010", "-", "02", "+82", "1588", "850302", "1234567", "1******", "12345678", "2024-03-02",
    " ", "\n", ",", ".", "(", ")", "@", "example.com", "[이름]", "]", "x", "님", "은", "65세",
]  # fmt: skip
_MIXED = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=25).map(
    "".join
)
_ANY_TEXT = st.one_of(st.text(max_size=200), _MIXED)


@settings(max_examples=200, deadline=None)
@given(_ANY_TEXT)
# Redaction changes what is next to a label or a number; these once found something new.
@example("환자:가가가주소:0")
@example("환자:주소0주소:0")
@example("8503021******0101234567")
@example("8503021234567+821012345678")
@example("등록번호12345678DOB12345678MRNMRN")
@example("MRN@b.co+82@b.co")
@example("HONG@b.co.@b.co")
@example("MRN@b.co0100100505")
def test_redact_never_raises_and_is_idempotent(text):
    redacted, report = redact(text)
    assert find_identifiers(redacted) == []
    assert redact(redacted)[0] == redacted
    assert len(report.changes) == len(find_identifiers(text))


@settings(max_examples=150, deadline=None)
@given(_ANY_TEXT)
def test_text_without_identifiers_is_unchanged(text):
    assume(not find_identifiers(text))
    redacted, report = redact(text)
    assert redacted == text
    assert not report.needs_confirmation


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=120), _MIXED))
def test_redact_filename_is_always_a_safe_short_name(name):
    safe, _ = redact_filename(name)
    assert safe
    assert len(safe) <= 100
    assert len(safe.encode()) <= 255
    assert not set(safe) & {"/", "\\"}
    assert safe not in (".", "..")
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in safe)


_NO_DIGITS = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
        st.sampled_from("abcXYZ .,:;()[]*-+/\n\t환자명등록번호주소성이름DOB"),
    ),
    max_size=30,
)


@st.composite
def rrns(draw):
    day = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)))
    gender = draw(st.sampled_from("1256" if day.year < 2000 else "3478"))
    first12 = day.strftime("%y%m%d") + gender + f"{draw(st.integers(0, 99_999)):05d}"
    check = with_check_digit if draw(st.booleans()) else without_check_digit
    number = check(first12)
    return number[:6] + draw(st.sampled_from(["-", "", " "])) + number[6:]


@st.composite
def phones(draw):
    prefix = draw(st.sampled_from(["010", "011", "02", "031", "051", "064", "070", "0505"]))
    width = draw(st.sampled_from([3, 4]))
    middle = f"{draw(st.integers(0, 10**width - 1)):0{width}d}"
    last = f"{draw(st.integers(0, 9999)):04d}"
    sep = draw(st.sampled_from(["-", ".", " ", ""]))
    if draw(st.booleans()):
        return f"+82{draw(st.sampled_from(['', ' ', '-']))}{prefix[1:]}{sep}{middle}{sep}{last}"
    return f"{prefix}{sep}{middle}{sep}{last}"


@settings(max_examples=200, deadline=None)
@given(_NO_DIGITS, st.one_of(rrns(), phones()), _NO_DIGITS)
def test_embedded_rrns_and_phones_never_survive(before, number, after):
    redacted, _ = redact(f"{before}{number}{after}")
    assert not any(ch.isdigit() for ch in redacted)
    safe_name, _ = redact_filename(f"{before}_{number}_{after}.txt")
    assert not any(ch.isdigit() for ch in safe_name)
