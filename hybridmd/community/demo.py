"""Demo community content, written through the services so it is audited and indexed.

Idempotent: content is only added when the demo's first question is not there yet.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hybridmd.accounts.models import Specialty, User
from hybridmd.community.models import Board, Post
from hybridmd.community.reference_data import sync_boards
from hybridmd.community.services import polls
from hybridmd.community.services import posts as post_services

FIRST_TITLE = "55세 남자, 운동 시 흉통: 관상동맥 CT와 운동부하검사 중 무엇을 먼저?"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _board(slug: str) -> Board:
    return Board.objects.get(slug=slug)


@transaction.atomic
def seed() -> int:
    sync_boards(Board)
    if Post.objects.filter(title=FIRST_TITLE).exists():
        return 0
    gp, family = _user("gp@demo.hybridmd.kr"), _user("family@demo.hybridmd.kr")
    cardio, radiology = _user("cardio@demo.hybridmd.kr"), _user("radiology@demo.hybridmd.kr")
    lawyer = _user("lawyer@demo.hybridmd.kr")
    card = Specialty.objects.get(code="IM-CARD")

    chest_pain = post_services.post_create(
        author=gp,
        board=_board("qna"),
        title=FIRST_TITLE,
        body=(
            "55세 남자, 고혈압·이상지질혈증. 2주 전부터 계단 오를 때 흉통(5분 이내 소실).\n\n"
            "- 안정시 ECG: 정상동리듬, ST 변화 없음\n- hs-troponin I 음성\n\n"
            "의원에서 관상동맥 CT와 운동부하검사 중 무엇을 먼저 의뢰하는 게 좋을까요?"
        ),
        specialty=card,
        tags=["흉통", "협심증"],
        anonymous=True,
    )
    answer = post_services.answer_create(
        author=cardio,
        post_id=chest_pain.pk,
        body=(
            "전형적 협심증 양상이고 검사 전 확률이 중등도라면 관상동맥 CT를 먼저 권합니다. "
            "ECG 해석이 가능한 경우 운동부하검사도 합리적이지만 민감도가 낮습니다. "
            "증상이 악화되면(안정 시 흉통, 20분 이상 지속) 바로 응급실로 보내 주세요."
        ),
    )
    post_services.comment_create(
        author=gp,
        post_id=chest_pain.pk,
        answer_id=answer.pk,
        body="감사합니다. CT로 의뢰하겠습니다.",
    )
    post_services.answer_accept(asker=gp, answer_id=answer.pk)

    nodule = post_services.post_create(
        author=family,
        board=_board("qna"),
        title="Incidental 7 mm solid lung nodule on a health-check CXR follow-up CT",
        body="62-year-old ex-smoker (30 pack-years). 7 mm solid nodule, RUL. Fleischner follow-up?",
        specialty=Specialty.objects.get(code="RAD"),
        tags=["lung nodule", "Fleischner"],
        anonymous=True,
    )
    post_services.answer_create(
        author=radiology,
        post_id=nodule.pk,
        body="High-risk patient, single solid 6–8 mm nodule: CT at 6–12 months, then 18–24 months.",
    )

    survey_post = post_services.post_create(
        author=family,
        board=_board("free"),
        title="외래에서 진료의뢰서를 작성하는 데 보통 얼마나 걸리시나요?",
        body="AI 진료의뢰서 초안 기능을 기획하며 의견을 묻습니다.",
        tags=["진료의뢰"],
    )
    polls.poll_create(
        post=survey_post,
        question="진료의뢰서 1건 작성 시간",
        options=["5분 미만", "5–10분", "10–20분", "20분 이상"],
        multiple=False,
        closes_at=timezone.now() + timedelta(days=14),
    )

    consult = post_services.post_create(
        author=gp,
        board=_board("consult"),
        title="비급여 진료비 사전 설명 의무, 동의서는 어떻게 받아야 하나요?",
        body="2024년 이후 비급여 사전설명 제도 관련해 의원에서 준비할 서류가 궁금합니다.",
        anonymous=True,
    )
    post_services.answer_create(
        author=lawyer,
        post_id=consult.pk,
        body="비급여 항목·가격을 환자에게 사전 설명하고 설명 사실을 기록해 두시는 것이 원칙입니다.",
    )

    post_services.post_create(
        author=cardio,
        board=_board("jobs"),
        title="서울대학교병원 순환기내과 임상강사 모집",
        body="2027년 3월 시작, 심장초음파·중재 시술 트랙. 지원 마감 12월 31일.",
        job_location="서울 종로구",
        tags=["채용", "순환기내과"],
    )
    starts = (timezone.now() + timedelta(days=10)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    post_services.post_create(
        author=radiology,
        board=_board("events"),
        title="웹 심포지엄: 흉부 X-ray AI 판독, 어디까지 믿을 수 있나",
        body="AI 판독 결과와 영상의학과 전문의의 더블체크 사례를 함께 봅니다.",
        event=post_services.EventDetails(
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            url="https://symposium.example.kr/live",
            registration_url="https://symposium.example.kr/register",
        ),
    )
    return Post.objects.count()
