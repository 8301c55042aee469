"""Staff surveys: creating (the question format), responding once, results, anonymous CSV.

Uses the URLconf of ``test_polls`` (poll and survey pages in front of the project's).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hybridmd.accounts.tests.factories import PhysicianFactory, UserFactory, grant_role, with_totp
from hybridmd.audit.models import AuditEvent
from hybridmd.community import selectors_polls as selectors
from hybridmd.community.forms_polls import parse_questions
from hybridmd.community.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from hybridmd.community.services import polls as services
from hybridmd.community.services.polls import QuestionSpec
from hybridmd.community.tests.factories import verified_user

Answers = dict[int, list[str] | str]
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("english"),
    pytest.mark.urls("hybridmd.community.tests.test_polls"),
]


@pytest.fixture
def member():
    return verified_user()


@pytest.fixture
def unverified():
    return PhysicianFactory().user


@pytest.fixture
def staff():
    """Platform staff for surveys: holders of community.moderate (here a moderator)."""
    user = UserFactory(full_name="운영자")
    grant_role(user, "moderator")
    with_totp(user)
    return user


def close(survey):
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    survey.refresh_from_db()


# --- surveys: creating ----------------------------------------------------------------


SOURCE = (
    "single | 근무 형태는? | 개원의; 봉직의; 전공의\n"
    "\n"
    "multiple | 사용하는 EMR은? | 비트; 유비케어; 이지케어\n"
    "text? | 의견"
)


def make_survey(staff, **overrides: Any):
    values: dict[str, Any] = {
        "title": "EMR 사용 실태 조사",
        "description": "",
        "closes_at": None,
        "questions": parse_questions(SOURCE),
    }
    return services.survey_create(creator=staff, **(values | overrides))


def questions_of(survey):
    return list(survey.questions.order_by("position"))


def test_parse_questions_reads_kinds_options_and_optional_mark():
    specs = parse_questions(SOURCE)
    assert specs == [
        QuestionSpec("근무 형태는?", "single", ("개원의", "봉직의", "전공의")),
        QuestionSpec("사용하는 EMR은?", "multiple", ("비트", "유비케어", "이지케어")),
        QuestionSpec("의견", "text", (), required=False),
    ]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("singel | 질문 | a; b", "Line 1: “singel” is not a kind"),
        ("single | 질문 | a", "Line 1: Give at least two options."),
        ("text | 의견 | a; b", "Line 1: a free-text question takes no options."),
        ("single | 질문 | a; a", "given twice"),
        ("single | 질문 | a; ; b", "cannot be empty"),
        ("single | 질문 | a | b", "Line 1: write it as"),
        ("single |  | a; b", "Line 1: the question text is empty."),
        ("\n  \n", "Add at least one question."),
    ],
)
def test_parse_questions_names_the_problem_and_line(source, fragment):
    with pytest.raises(ValidationError) as caught:
        parse_questions(source)
    assert fragment in " ".join(caught.value.messages)


def test_staff_create_a_survey(staff):
    survey = make_survey(staff)
    assert [(q.kind, q.required, q.options) for q in questions_of(survey)] == [
        ("single", True, ["개원의", "봉직의", "전공의"]),
        ("multiple", True, ["비트", "유비케어", "이지케어"]),
        ("text", False, []),
    ]
    assert AuditEvent.objects.filter(action="community.survey_created", target_id=str(survey.pk))


def test_members_cannot_create_surveys(member):
    with pytest.raises(PermissionDenied):
        make_survey(member)
    assert not Survey.objects.exists()


def test_survey_service_validates_again(staff):
    with pytest.raises(ValidationError) as caught:
        make_survey(staff, questions=[QuestionSpec("q", "single", ("only",))])
    assert "Question 1" in caught.value.message_dict["questions"][0]
    with pytest.raises(ValidationError) as caught:
        make_survey(staff, title=" ", closes_at=timezone.now() - timedelta(days=1))
    assert "title" in caught.value.message_dict
    assert not Survey.objects.exists()


# --- surveys: responding --------------------------------------------------------------


def test_member_responds_once(staff, member):
    survey = make_survey(staff)
    single, multiple, text = questions_of(survey)
    answers: Answers = {single.pk: "봉직의", multiple.pk: ["비트", "이지케어"], text.pk: ""}
    services.survey_respond(survey_id=survey.pk, respondent=member, answers=answers)
    stored = {a.question_id: (a.choices, a.text) for a in SurveyAnswer.objects.all()}
    assert stored == {single.pk: (["봉직의"], ""), multiple.pk: (["비트", "이지케어"], "")}
    with pytest.raises(services.AlreadyResponded) as caught:
        services.survey_respond(survey_id=survey.pk, respondent=member, answers=answers)
    assert caught.value.code == "already_responded"
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == 2


def test_response_errors_are_reported_per_question(staff, member):
    survey = make_survey(staff)
    single, multiple, text = questions_of(survey)
    with pytest.raises(ValidationError) as caught:
        services.survey_respond(
            survey_id=survey.pk,
            respondent=member,
            answers={single.pk: ["개원의", "봉직의"], multiple.pk: ["없는 EMR"], text.pk: ["x"]},
        )
    errors = caught.value.message_dict
    assert errors[f"question_{single.pk}"] == ["Choose exactly one option."]
    assert errors[f"question_{multiple.pk}"] == ["Choose among the options given."]
    assert errors[f"question_{text.pk}"] == ["Write the answer as text."]
    with pytest.raises(ValidationError) as caught:
        services.survey_respond(survey_id=survey.pk, respondent=member, answers={})
    assert set(caught.value.message_dict) == {f"question_{single.pk}", f"question_{multiple.pk}"}
    with pytest.raises(ValidationError):
        services.survey_respond(
            survey_id=survey.pk, respondent=member, answers={single.pk: "개원의", 999_999: "x"}
        )
    assert not SurveyResponse.objects.exists()


def test_closed_survey_and_unverified_member_are_refused(staff, member, unverified):
    survey = make_survey(staff)
    single, multiple, _ = questions_of(survey)
    answers: Answers = {single.pk: "개원의", multiple.pk: ["비트"]}
    with pytest.raises(PermissionDenied):
        services.survey_respond(survey_id=survey.pk, respondent=unverified, answers=answers)
    close(survey)
    with pytest.raises(ValidationError) as caught:
        services.survey_respond(survey_id=survey.pk, respondent=member, answers=answers)
    assert caught.value.code == "closed"
    assert not SurveyResponse.objects.exists()


# --- surveys: results and the anonymous CSV -------------------------------------------


def respond(survey, user, single, multiple, text=""):
    single_q, multiple_q, text_q = questions_of(survey)
    answers: Answers = {single_q.pk: single, multiple_q.pk: multiple, text_q.pk: text}
    services.survey_respond(survey_id=survey.pk, respondent=user, answers=answers)


def test_survey_results_count_choices_and_collect_texts(staff):
    survey = make_survey(staff)
    respond(survey, verified_user(), "개원의", ["비트", "유비케어"], "좋아요")
    respond(survey, verified_user(), "개원의", ["비트"])
    results = selectors.survey_results(survey)
    assert results.responses == 2
    single, multiple, text = results.questions
    assert [(c.label, c.count, c.percent) for c in single.choices] == [
        ("개원의", 2, 100),
        ("봉직의", 0, 0),
        ("전공의", 0, 0),
    ]
    assert [c.count for c in multiple.choices] == [2, 1, 0]
    assert text.texts == ["좋아요"]
    assert text.answered == 1


def test_csv_is_anonymous_joined_and_guarded_against_formulas(staff):
    survey = make_survey(
        staff,
        questions=[
            QuestionSpec('=HYPERLINK("x")', "single", ("+1", "보통")),
            QuestionSpec("EMR", "multiple", ("@SUM(A1)", "비트")),
            QuestionSpec("의견", "text", (), required=False),
        ],
    )
    first = PhysicianFactory(verified=True, user__full_name="홍길동", user__email="hong@x.kr").user
    second = verified_user()
    respond(survey, first, "+1", ["@SUM(A1)", "비트"], "-2+3 정도")
    respond(survey, second, "보통", ["비트"], "그냥 좋아요")
    text = selectors.survey_csv(survey)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Response no.", '\'=HYPERLINK("x")', "EMR", "의견"],
        ["1", "'+1", "'@SUM(A1); 비트", "'-2+3 정도"],
        ["2", "보통", "비트", "그냥 좋아요"],
    ]
    for secret in ("홍길동", "hong@x.kr", second.email, second.full_name):
        assert secret not in text


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+82", "'+82"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("보통", "보통"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(value, safe):
    assert selectors.spreadsheet_safe(value) == safe


def test_staff_download_the_csv_with_a_bom_and_it_is_audited(client, staff):
    survey = make_survey(staff)
    respond(survey, verified_user(), "전공의", ["이지케어"], "한글 의견")
    client.force_login(staff)
    response = client.get(reverse("survey_export", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "한글 의견" in response.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="community.survey_exported", target_id=str(survey.pk))


def test_only_staff_see_results_and_export(client, staff, member):
    survey = make_survey(staff)
    client.force_login(member)
    assert client.get(reverse("survey_export", args=[survey.pk])).status_code == 403
    assert client.get(reverse("survey_results", args=[survey.pk])).status_code == 403
    assert client.get(reverse("survey_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.survey_export(survey_id=survey.pk, actor=member)
    client.force_login(staff)
    assert client.get(reverse("survey_results", args=[survey.pk])).status_code == 200


# --- surveys: pages -------------------------------------------------------------------


def test_member_answers_a_survey_through_the_page(client, staff, member):
    survey = make_survey(staff)
    single, multiple, _ = questions_of(survey)
    client.force_login(member)
    assert client.get(reverse("survey_list")).status_code == 200
    url = reverse("survey_detail", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="radio"' in page.content.decode()
    data = {f"question_{single.pk}": "봉직의", f"question_{multiple.pk}": ["비트", "유비케어"]}
    response = client.post(url, data)
    assert response.status_code == 302
    assert SurveyAnswer.objects.get(question=multiple).choices == ["비트", "유비케어"]
    assert client.post(url, data).status_code == 409
    assert SurveyResponse.objects.count() == 1
    assert 'type="radio"' not in client.get(url).content.decode()


def test_missing_answer_redisplays_the_form(client, staff, member):
    survey = make_survey(staff)
    client.force_login(member)
    response = client.post(reverse("survey_detail", args=[survey.pk]), {})
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_unverified_member_cannot_open_surveys(client, staff, unverified):
    survey = make_survey(staff)
    client.force_login(unverified)
    assert client.get(reverse("survey_list")).status_code == 403
    assert client.get(reverse("survey_detail", args=[survey.pk])).status_code == 403


def test_staff_create_a_survey_through_the_form(client, staff):
    client.force_login(staff)
    url = reverse("survey_create")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"title": "조사", "questions": "single | 질문 | 하나"})
    assert bad.status_code == 400
    assert "Line 1: Give at least two options." in bad.content.decode()
    response = client.post(
        url,
        {
            "title": "조사",
            "description": "설명",
            "closes_at": "2999-01-01T09:00",
            "questions": SOURCE,
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.created_by == staff
    assert survey.questions.count() == 3
    assert survey.closes_at is not None
    assert not survey.is_closed
    assert SurveyQuestion.objects.filter(survey=survey, kind="text", required=False).exists()
