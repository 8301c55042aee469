"""Template text for the benchmark dataset: Korean and English clinical questions.

Pure Python (no Django). Everything is drawn from a ``random.Random`` the caller
seeds, so the same seed gives the same dataset. The vocabulary is wide enough that a
clinical term such as 심방세동 appears in a few per cent of posts, as a common term
would in a real physician community, rather than in all of them or almost none.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (Korean, English) clinical conditions.
CONDITIONS: tuple[tuple[str, str], ...] = (
    ("흉통", "chest pain"),
    ("심근경색", "myocardial infarction"),
    ("심방세동", "atrial fibrillation"),
    ("폐결절", "lung nodule"),
    ("당뇨", "diabetes"),
    ("고혈압", "hypertension"),
    ("갑상선결절", "thyroid nodule"),
    ("만성신장병", "chronic kidney disease"),
    ("심부전", "heart failure"),
    ("폐렴", "pneumonia"),
    ("천식", "asthma"),
    ("만성폐쇄성폐질환", "COPD"),
    ("위식도역류질환", "GERD"),
    ("지방간", "fatty liver"),
    ("골다공증", "osteoporosis"),
    ("요로감염", "urinary tract infection"),
    ("대상포진", "herpes zoster"),
    ("편두통", "migraine"),
    ("어지럼증", "dizziness"),
    ("빈혈", "anaemia"),
    ("통풍", "gout"),
    ("이상지질혈증", "dyslipidaemia"),
    ("뇌졸중", "stroke"),
    ("협심증", "angina"),
    ("심부정맥혈전증", "deep vein thrombosis"),
    ("폐색전증", "pulmonary embolism"),
    ("갑상선기능저하증", "hypothyroidism"),
    ("류마티스관절염", "rheumatoid arthritis"),
    ("우울증", "depression"),
    ("불면증", "insomnia"),
    ("급성췌장염", "acute pancreatitis"),
    ("담낭염", "cholecystitis"),
    ("요추간판탈출증", "lumbar disc herniation"),
    ("무릎골관절염", "knee osteoarthritis"),
    ("임신성당뇨", "gestational diabetes"),
    ("전립선비대증", "benign prostatic hyperplasia"),
    ("아토피피부염", "atopic dermatitis"),
    ("백내장", "cataract"),
    ("B형간염", "hepatitis B"),
    ("결핵", "tuberculosis"),
)

DRUGS: tuple[str, ...] = (
    "메트포르민", "아픽사반", "리바록사반", "와파린", "로수바스타틴", "아토르바스타틴",
    "암로디핀", "로사르탄", "엠파글리플로진", "다파글리플로진", "세마글루타이드", "아스피린",
    "클로피도그렐", "티카그렐러", "레보티록신", "프레드니솔론", "아목시실린", "세프트리악손",
    "에소메프라졸", "비소프롤롤", "스피로노락톤", "알로푸리놀", "페북소스타트", "데노수맙",
)  # fmt: skip
DRUGS_EN: tuple[str, ...] = (
    "metformin", "apixaban", "rivaroxaban", "warfarin", "rosuvastatin", "amlodipine",
    "losartan", "empagliflozin", "semaglutide", "aspirin", "clopidogrel", "levothyroxine",
)  # fmt: skip
TESTS: tuple[tuple[str, str], ...] = (
    ("심전도", "ECG"),
    ("심장초음파", "echocardiography"),
    ("관상동맥 CT", "coronary CT angiography"),
    ("운동부하검사", "exercise stress test"),
    ("흉부 X-ray", "chest X-ray"),
    ("흉부 CT", "chest CT"),
    ("24시간 Holter", "24-hour Holter"),
    ("갑상선 초음파", "thyroid ultrasound"),
    ("복부 초음파", "abdominal ultrasound"),
    ("위내시경", "gastroscopy"),
    ("골밀도검사", "DXA scan"),
    ("뇌 MRI", "brain MRI"),
)
FINDINGS: tuple[str, ...] = (
    "정상 범위", "경계성 상승", "유의한 이상 없음", "ST 분절 하강 1 mm", "좌심실 구혈률 45%",
    "8 mm 고형 결절", "HbA1c 8.2%", "eGFR 48", "NT-proBNP 1,250 pg/mL", "hs-troponin I 음성",
    "TSH 7.8 mIU/L", "LDL-C 162 mg/dL", "요산 9.1 mg/dL", "T-score −2.7", "발작성 빈맥 3회",
)  # fmt: skip
SYMPTOMS: tuple[str, ...] = (
    "흉통", "호흡곤란", "두근거림", "어지럼", "하지 부종", "기침", "발열", "복통", "피로감",
    "두통", "체중감소", "야간뇨", "관절통",
)  # fmt: skip
SPECIALTY_WORDS: tuple[str, ...] = (
    "순환기내과", "호흡기내과", "내분비내과", "가정의학과", "신경과", "정형외과", "영상의학과",
    "소화기내과", "응급의학과", "신장내과",
)  # fmt: skip
HOSPITALS: tuple[str, ...] = (
    "서울대학교병원", "세브란스병원", "서울아산병원", "삼성서울병원", "서울성모병원",
    "분당서울대학교병원", "고려대학교안암병원", "경희대학교병원", "한양대학교병원",
    "중앙대학교병원", "부산대학교병원", "경북대학교병원", "전남대학교병원", "충남대학교병원",
    "서울의료원", "성남시의료원", "국민건강내과의원", "하나가정의학과의원",
    "연세튼튼내과의원", "밝은눈안과의원", "바른정형외과의원", "새봄소아청소년과의원",
)  # fmt: skip
REGIONS: tuple[str, ...] = (
    "서울 종로구", "서울 강남구", "서울 송파구", "경기 성남시", "경기 수원시", "인천 남동구",
    "부산 해운대구", "대구 중구", "광주 동구", "대전 서구", "제주 제주시",
)  # fmt: skip
SOCIETIES: tuple[str, ...] = (
    "대한심장학회", "대한내과학회", "대한가정의학회", "대한영상의학회", "대한당뇨병학회",
    "대한고혈압학회", "대한결핵및호흡기학회", "대한신경과학회",
)  # fmt: skip
JOURNALS: tuple[str, ...] = ("NEJM", "Lancet", "JAMA", "BMJ", "Circulation", "Diabetes Care")
AGENCIES: tuple[str, ...] = ("보건복지부", "건강보험심사평가원", "질병관리청", "식품의약품안전처")
CONSULT_TOPICS: tuple[str, ...] = (
    "비급여 진료비 사전 설명", "간호조무사 근로계약서", "종합소득세 신고", "의료광고 심의",
    "진료기록 보존기간", "공동개원 동업계약", "퇴직금 중간정산", "의료분쟁 조정 신청",
)  # fmt: skip
TAGS: tuple[str, ...] = (
    "흉통", "심전도", "심방세동", "항응고제", "폐결절", "당뇨", "고혈압", "갑상선",
    "만성신장병", "심부전", "골다공증", "영상판독", "진료의뢰", "외래", "응급", "소아",
    "ECG", "X-ray", "guideline", "Fleischner",
)  # fmt: skip

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허남심노하곽성차주우구민유나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용"  # noqa: E501
GIVEN = "민서지현준우윤아하은도연수진영호성예시원재동주혜경태유나희정승은채빈건"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def _age_sex(rng: random.Random) -> tuple[int, str, str]:
    sex, sex_en = rng.choice((("남자", "man"), ("여자", "woman")))
    return rng.randint(18, 89), sex, sex_en


def _two(rng: random.Random, items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(rng.sample(items, 2))


def _clinical_ko(rng: random.Random) -> Text:
    age, sex, _ = _age_sex(rng)
    (c, _c_en), (c2, _c2_en) = _two(rng, CONDITIONS)
    (t, _), (t2, _) = _two(rng, TESTS)
    drug = rng.choice(DRUGS)
    title = rng.choice(
        (
            f"{age}세 {sex}, {c}: {t}와 {t2} 중 무엇을 먼저?",
            f"{c} 환자에서 {drug} 시작 시점 문의",
            f"{age}세 {sex} {c} 의심, 상급병원 의뢰 기준이 궁금합니다",
            f"{c} 동반 {c2} 환자의 {drug} 용량 조절",
            f"{t}에서 우연히 발견된 {c}, 추적 간격은?",
            f"{c} 진단 후 {c2} 선별검사 어디까지 하시나요?",
        )
    )
    paragraphs = [
        f"{age}세 {sex}, {c2} 병력으로 외래 추적 중인 환자입니다. "
        f"{rng.randint(1, 12)}주 전부터 {rng.choice(SYMPTOMS)} 증상이 있어 내원하였습니다.",
        f"- {t}: {rng.choice(FINDINGS)}\n- {t2}: {rng.choice(FINDINGS)}",
        f"{c} 가능성을 고려하여 {drug} 투약을 고민 중입니다. "
        f"신기능은 eGFR {rng.randint(25, 110)} mL/min/1.73m² 입니다.",
    ]
    if rng.random() < 0.5:
        paragraphs.append(
            rng.choice(
                (
                    "선생님들은 이런 경우 어떻게 하시는지 경험을 나눠주시면 감사하겠습니다.",
                    f"{rng.choice(SPECIALTY_WORDS)} 선생님들의 의견 부탁드립니다.",
                    "최신 가이드라인 기준으로 답변 주시면 환자 설명에 참고하겠습니다.",
                )
            )
        )
    return Text(title, "\n\n".join(paragraphs))


def _clinical_en(rng: random.Random) -> Text:
    age, _, sex_en = _age_sex(rng)
    (c, c_en), (_c2, c2_en) = _two(rng, CONDITIONS)
    (_, t_en), (_, t2_en) = _two(rng, TESTS)
    drug = rng.choice(DRUGS_EN)
    title = rng.choice(
        (
            f"{age}-year-old {sex_en} with {c_en}: {t_en} or {t2_en} first?",
            f"When to start {drug} in {c_en}?",
            f"Incidental {c_en} on {t_en}: follow-up interval?",
            f"{c_en.capitalize()} ({c}) with {c2_en}: referral criteria",
        )
    )
    body = "\n\n".join(
        (
            f"{age}-year-old {sex_en}, known {c2_en}, seen in clinic for "
            f"{rng.randint(1, 12)} weeks of {rng.choice(('exertional chest pain', 'palpitations', 'dyspnoea', 'fatigue', 'cough'))}.",  # noqa: E501
            f"- {t_en}: {rng.choice(('normal', 'borderline', 'abnormal, see below'))}\n"
            f"- {t2_en}: {rng.choice(('pending', 'unremarkable', 'needs review'))}",
            f"Considering {drug} for suspected {c_en} ({c}). Any experience or guideline "
            "pointers appreciated.",
        )
    )
    return Text(title, body)


def _paper(rng: random.Random) -> Text:
    c, c_en = rng.choice(CONDITIONS)
    drug, journal, year = rng.choice(DRUGS), rng.choice(JOURNALS), rng.randint(2019, 2026)
    title = f"[논문 리뷰] {journal} {year}: {c} 환자에서 {drug}의 효과"
    body = "\n\n".join(
        (
            f"연구 설계: 무작위 대조 연구, {rng.randint(300, 18000):,}명, "
            f"추적 기간 중앙값 {rng.randint(6, 60)}개월.",
            f"일차 결과: {c_en} 관련 복합 사건 위험비 0.{rng.randint(60, 95)} "
            f"(95% CI 0.{rng.randint(50, 70)}–0.{rng.randint(80, 99)}).",
            f"임상 적용: 외래의 {c} 환자 중 어떤 환자군에 적용할지 토론해 봅시다.",
        )
    )
    return Text(title, body)


def _drug(rng: random.Random) -> Text:
    c, _ = rng.choice(CONDITIONS)
    drug = rng.choice(DRUGS)
    title = rng.choice(
        (
            f"{drug} 처방 시 {c} 환자 주의사항",
            f"{drug} 급여 기준 변경 정리 ({c})",
            f"{drug}와 {rng.choice(DRUGS)} 병용 시 상호작용",
        )
    )
    body = (
        f"{drug}은(는) {c} 환자에서 신기능과 간기능에 따라 용량 조절이 필요합니다.\n\n"
        f"- eGFR 30 미만: 감량 또는 중단 검토\n- 고령 환자: 낙상과 출혈 위험 평가\n\n"
        f"실제 처방 경험을 공유해 주세요."
    )
    return Text(title, body)


def _consult(rng: random.Random) -> Text:
    topic = rng.choice(CONSULT_TOPICS)
    title = f"개원 {rng.randint(1, 15)}년차, {topic} 관련 문의"
    body = (
        f"{rng.choice(REGIONS)}에서 의원을 운영하고 있습니다. {topic} 관련해 "
        "준비해야 할 서류와 주의할 점이 궁금합니다.\n\n"
        "비슷한 사례를 겪으신 선생님이나 전문가의 답변 부탁드립니다."
    )
    return Text(title, body)


def _job(rng: random.Random) -> tuple[Text, str]:
    hospital, specialty, region = (
        rng.choice(HOSPITALS),
        rng.choice(SPECIALTY_WORDS),
        rng.choice(REGIONS),
    )
    title = f"{hospital} {specialty} 봉직의 모집 ({region})"
    body = (
        f"{specialty} 전문의 1명을 모집합니다. 주 {rng.randint(4, 5)}일 근무, "
        f"외래 일 {rng.randint(30, 80)}명 내외.\n\n- 근무지: {region}\n- 급여: 협의"
    )
    return Text(title, body), region


def _event(rng: random.Random) -> Text:
    society, (c, c_en) = rng.choice(SOCIETIES), rng.choice(CONDITIONS)
    season = rng.choice(("춘계", "추계", "연례", "온라인"))
    title = f"{society} {season} 학술대회: {c} 최신 지견"
    body = (
        f"{society}에서 {c}({c_en}) 진료의 최신 지견을 다루는 학술대회를 엽니다.\n\n"
        "연수평점이 인정되며 웹 심포지엄으로도 동시 중계됩니다."
    )
    return Text(title, body)


def _news(rng: random.Random) -> Text:
    agency, (c, _) = rng.choice(AGENCIES), rng.choice(CONDITIONS)
    title = rng.choice(
        (
            f"{agency}, {c} 관련 급여 기준 개정",
            f"{agency} {c} 진료지침 개정안 발표",
            f"{c} 국가검진 항목 확대 논의 ({agency})",
        )
    )
    body = (
        f"{agency}가 {c} 관련 기준 개정안을 발표했습니다. "
        f"시행일은 {rng.randint(2026, 2027)}년 {rng.randint(1, 12)}월입니다.\n\n"
        "외래 진료에 미칠 영향에 대해 의견을 나눠 봅시다."
    )
    return Text(title, body)


def _free(rng: random.Random) -> Text:
    title = rng.choice(
        (
            f"{rng.choice(REGIONS)} 개원 {rng.randint(1, 20)}년차, 요즘 외래 분위기",
            "야간 당직 후 컨디션 관리 어떻게 하시나요?",
            f"전공의 시절 {rng.choice(SPECIALTY_WORDS)} 추억",
            f"{rng.choice(CONDITIONS)[0]} 환자 설명용 자료 공유합니다",
            "EMR 바꾸신 선생님들 후기 부탁드립니다",
        )
    )
    body = (
        "요즘 외래에서 느끼는 점을 나눠 봅니다.\n\n"
        f"특히 {rng.choice(CONDITIONS)[0]} 환자 설명에 시간이 많이 드는데, "
        "다들 어떻게 하시는지 궁금합니다."
    )
    return Text(title, body)


def post_text(board_slug: str, rng: random.Random) -> tuple[Text, str]:
    """Title and body for a post on ``board_slug``, and a job location (jobs only)."""
    if board_slug in {"qna", "cases"}:
        return (_clinical_en(rng) if rng.random() < 0.25 else _clinical_ko(rng)), ""
    if board_slug == "jobs":
        return _job(rng)
    makers = {
        "papers": _paper,
        "drugs": _drug,
        "consult": _consult,
        "events": _event,
        "news": _news,
    }
    return makers.get(board_slug, _free)(rng), ""


def _comment_pool() -> tuple[str, ...]:
    rng = random.Random(7)  # noqa: S311 -- reproducible data, not secrets
    pool: list[str] = [
        "감사합니다. 많은 도움이 되었습니다.",
        "저도 같은 고민이 있었는데 참고하겠습니다.",
        "Thanks, very helpful.",
        "Agree with the above; we do the same in our clinic.",
        "추가 검사 결과 나오면 공유 부탁드립니다.",
        "가이드라인 링크도 함께 올려 주시면 좋겠습니다.",
    ]
    for c, c_en in CONDITIONS:
        drug = rng.choice(DRUGS)
        pool += [
            f"{c} 환자라면 {drug} 먼저 써보시는 것도 방법입니다.",
            f"저희 병원에서는 {c} 의심되면 {rng.choice(TESTS)[0]}부터 시행합니다.",
            f"{c}은(는) 외래에서 흔하지만 고위험군 선별이 중요합니다.",
            f"For {c_en} we usually refer early if symptoms persist.",
        ]
    return tuple(pool)


COMMENTS: tuple[str, ...] = _comment_pool()


def answer_text(rng: random.Random, condition: str) -> str:
    (t, _), (t2, _) = _two(rng, TESTS)
    drug = rng.choice(DRUGS)
    return "\n\n".join(
        (
            f"{condition} 양상이라면 {t}을(를) 먼저 권합니다. "
            f"{t2}은(는) 결과에 따라 추가로 고려하시면 됩니다.",
            f"- 약물: {drug} 시작을 검토하되 신기능을 확인하세요.\n"
            f"- 추적: {rng.randint(1, 12)}개월 후 재평가",
            rng.choice(
                (
                    "증상이 악화되면(안정 시 흉통, 20분 이상 지속) 바로 응급실로 보내 주세요.",
                    "고위험 소견이 있으면 상급병원 의뢰를 권합니다.",
                    "환자와 충분히 상의하신 뒤 결정하시면 됩니다.",
                )
            ),
        )
    )
