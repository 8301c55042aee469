"""Names after a label: 환자명, 성명, 이름, 환자, 보호자, Patient name, Name:.

Korean names are 2-4 syllables (3 for most; 4 with 남궁, 황보, ...); a following 님,
씨, 환자 or particle is kept (홍길동님 -> [이름]님). Romanised names are up to three
tokens (``HONG Gil-dong``, ``Gildong Hong``, ``Hong, Gildong``).

환자 and 보호자 without a colon are weak labels: 환자 상태, 보호자 동의 are ordinary
prose. After them a word counts only if it starts with a common surname and is not a
common clinical word, and the find is only *likely*. After 환자:, Patient: or Guardian:
a romanised name needs two capitalised tokens (``Patient: Korean man`` is not a name).
A value that is a label itself or a placeholder word (미상, 모름) is never taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hybridmd.engines.documents.deid.labelled import NEXT_LABEL
from hybridmd.engines.documents.deid.model import NAME, Certainty, Identifier

SURNAMES = frozenset(  # the commonest hundred, one syllable each
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지"
    "엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부"
    "가복태목형피두감호"
)
COMPOUND_SURNAMES = frozenset(
    {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절"}
)
_SUFFIXES = frozenset({
    "", "님", "씨", "군", "양", "환자", "님은", "님이", "님의", "님께", "님께서", "님과", "님을",
    "씨는", "씨가", "씨의", "씨를", "은", "는", "이", "가", "을", "를", "의", "에게", "께서", "과",
    "와", "도", "만", "으로", "로", "입니다", "이다", "이며", "이고", "임", "환자는", "환자가",
    "환자의", "환자를", "환자분", "환자분은",
})  # fmt: skip
# Never a name: labels, placeholders for a missing name, relatives.
_NOT_NAMES = frozenset({
    "환자", "보호자", "이름", "성명", "성함", "환자명", "본인", "미상", "모름", "불명", "불상",
    "없음", "무명", "익명", "미기재", "기재", "생략", "비공개", "동일", "상동", "확인", "미확인",
    "해당없음", "배우자", "남편", "부인", "아내", "아들", "딸", "어머니", "아버지", "엄마", "아빠",
    "모친", "부친", "형제", "자매", "자녀", "가족", "친척", "지인", "간병인", "며느리", "사위",
    "손자", "손녀", "누나", "언니", "오빠", "동생", "조카", "남성", "여성", "남자", "여자",
})  # fmt: skip
# Ordinary words after 환자/보호자 (or 이름 without a colon) that start like a surname.
_STOPWORDS = (
    "상태", "정보", "이송", "이동", "이외", "이상", "이후", "이전", "이력", "안전", "안정", "안내",
    "진술", "진료", "진찰", "진단", "진행", "가족", "가정", "동의", "연락", "전원", "전체", "전신",
    "전달", "상담", "교육", "설명", "관찰", "요청", "의뢰", "면담", "방문", "문진", "내원", "입원",
    "외래", "퇴원", "거부", "호소", "호전", "사망", "사진", "사용", "서명", "신원", "신분", "신상",
    "신청", "정서", "정신", "정도", "정상", "주소", "주호소", "주치의", "주의", "지속", "지시",
    "치료", "한국", "한명", "한편", "하지", "하루", "우측", "좌측", "경과", "경우", "조치", "조절",
    "조회", "조사", "기록", "기준", "기간", "기타", "소아", "성인", "노인", "고령", "고지",
    "유형", "유지", "유무", "변화", "변경", "평가", "모두", "모니터", "모집", "오늘", "반응",
    "배정", "송부", "마취", "편의", "예후", "예약", "예정", "도착", "인계", "인적", "인원", "구분",
    "공개", "명단", "명수", "제외", "채혈", "임상", "권리", "차트", "최근", "최초", "국적", "감소",
    "증가", "선정", "선택", "수가", "수술", "심리", "심사", "안위", "양상", "여부", "보호", "보험",
    "본인", "부담", "분류", "대상", "대기", "대부분", "번호", "모를", "표기", "작성", "당사자",
)  # fmt: skip

_MASKED = "*＊○●◯Ｏ×"
_LABEL = re.compile(
    r"(?:(?<![가-힣\]])(?:(?P<strong>환자\s?성명|환자\s?이름|환자\s?명|수진자\s?명|수진자|피검자\s?명"
    r"|피검자|보호자\s?성명|보호자\s?이름|보호자\s?명|성\s?명|성함|이름)|(?P<weak>환자|보호자))"
    r"(?![가-힣])"
    r"|(?<![A-Za-z\]])(?i:(?P<en>(?:Patient'?s?|Pt\.?|Guardian'?s?|Full)[ \t]?name)"
    r"|(?P<en_colon>(?:Sur|Family[ \t]|Given[ \t]|First[ \t]|Last[ \t])?name|Patient|Guardian))"
    r"(?![A-Za-z]))"
    r"(?:[ \t]*\([^()\n]{0,12}\))?(?P<sep>[ \t]*[:：][ \t]*|[ \t]+)"
    r"(?:(?:딸|아들|배우자|남편|부인|아내|어머니|아버지|모친|부친|엄마|아빠|(?i:wife|husband|son|daughter"
    r"|mother|father))[ \t]+)?"
)
_KOREAN_WORD = re.compile(rf"[가-힣](?:[가-힣{_MASKED}]+|[OoXx]{{1,3}}(?![A-Za-z]))?")
_SPACED_REST = re.compile(r"[ \t]([가-힣]{1,3})(?![가-힣])")
_ROMAN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*(?![A-Za-z0-9])")
_TITLE = re.compile(r"(?i:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+")
_ROMAN_GAP = re.compile(r",?[ \t]")
_PAREN_ROMAN = re.compile(r"[ \t]*\([ \t]*(?=[A-Za-z])")
_PAREN_KOREAN = re.compile(r"[ \t]*\([ \t]*([가-힣]{2,4})[ \t]*\)")
_EN_STOP = frozenset({
    "DOB", "D.O.B", "MRN", "ID", "PT", "PATIENT", "NAME", "AGE", "SEX", "GENDER", "MALE", "FEMALE",
    "BIRTH", "DATE", "ADDRESS", "PHONE", "TEL", "MOBILE", "EMAIL", "E-MAIL", "UNKNOWN", "ANONYMOUS",
    "NA", "NONE", "HOSPITAL", "WARD", "ROOM", "DR", "AND", "WAS", "IS", "WITH", "THE", "AN", "OF",
    "TO", "FOR", "IN", "ON", "AT", "BY", "FROM", "WHO", "HAS", "HAD", "YEARS", "YEAR", "OLD", "YO",
    "CHART", "NO", "DX", "DIAGNOSIS", "REDACTED", "WITHHELD", "OMITTED", "SAME", "SELF", "NOT",
    "MAN", "WOMAN", "BOY", "GIRL", "CHILD", "INFANT", "ADULT", "ELDERLY", "KOREAN", "HE", "SHE",
    "PRESENTED", "ADMITTED", "REFERRED", "TRANSFERRED", "DISCHARGED", "STABLE", "ALERT",
})  # fmt: skip


def split_korean_name(word: str) -> str | None:
    """The name at the start of a Korean word: 홍길동님 -> 홍길동, 남궁민수는 -> 남궁민수."""
    lengths = (4, 3, 2) if word[:2] in COMPOUND_SURNAMES else (3, 2, 4)
    for n in lengths:
        if n <= len(word) and word[n:] in _SUFFIXES:
            return word[:n]
    return None


def looks_like_korean_name(name: str) -> bool:
    """A surname first, and not an ordinary word (used where no label vouches for it)."""
    has_surname = name[:1] in SURNAMES or name[:2] in COMPOUND_SURNAMES
    return has_surname and name not in _NOT_NAMES and not name.startswith(_STOPWORDS)


def _korean_name(text: str, pos: int, *, strong: bool, colon: bool) -> tuple[int, int] | None:
    match = _KOREAN_WORD.match(text, pos)
    if match is None or NEXT_LABEL.match(text, pos):
        return None
    word = match[0]
    name = split_korean_name(word)
    if name is None and strong and len(word) > 4:
        name = word[: 4 if word[:2] in COMPOUND_SURNAMES else 3]
    if name is None and strong and len(word) == 1 and word in SURNAMES:
        rest = _SPACED_REST.match(text, match.end())  # 홍 길동
        if rest is not None:
            return pos, rest.end()
    if name is None or len(name) < 2 or name in _NOT_NAMES or word in _NOT_NAMES:
        return None
    if not strong and not looks_like_korean_name(word):
        return None
    if not colon and word.startswith(_STOPWORDS):  # 이름 변경, 성명 미상
        return None
    end = pos + len(name)
    paren = _PAREN_ROMAN.match(text, end)  # 홍길동(Hong Gildong)
    if paren is not None:
        roman = _roman_name(text, paren.end())
        if roman is not None and text.startswith(")", roman[1]):
            end = roman[1] + 1
    return pos, end


def _roman_name(
    text: str, pos: int, *, min_tokens: int = 1, lower: bool = True
) -> tuple[int, int] | None:
    """A romanised name of 1-3 tokens at ``pos``, after any Mr./Ms. (``lower``: hong gildong)."""
    title = _TITLE.match(text, pos)
    start = pos = title.end() if title is not None else pos
    end = pos
    count = 0
    while count < 3:
        token = _ROMAN_TOKEN.match(text, pos)
        if token is None or len(token[0]) < 2 or token[0].upper() in _EN_STOP:
            break
        if not (lower or token[0][0].isupper()):  # Patient: Hong Gildong, not "was seen"
            break
        end, count = token.end(), count + 1
        gap = _ROMAN_GAP.match(text, end)
        if gap is None or (count > 1 and "," in gap[0]):
            break
        pos = gap.end()
    return (start, end) if count >= min_tokens else None


def find_names(text: str) -> Iterator[Identifier]:
    for label in _LABEL.finditer(text):
        colon = ":" in label["sep"] or "：" in label["sep"]
        if label["en_colon"] and not colon:
            continue
        strong = colon or not label["weak"]
        certainty: Certainty = "certain" if strong else "likely"
        span = _korean_name(text, label.end(), strong=strong, colon=colon)
        if span is None and strong:
            generic = label["weak"] or (label["en_colon"] or "").lower() in ("patient", "guardian")
            # After 환자: / Patient: a name must look like one: Hong Gildong, not "CAG".
            span = _roman_name(text, label.end(), min_tokens=2 if generic else 1, lower=not generic)
            korean = _PAREN_KOREAN.match(text, span[1]) if span else None  # Hong Gildong (홍길동)
            if span is not None and korean is not None:
                span = (span[0], korean.end())
        if span is not None:
            yield Identifier(NAME, span[0], span[1], certainty)
