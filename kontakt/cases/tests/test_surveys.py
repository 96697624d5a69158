"""The satisfaction question: tokens like private links, one answer, checked input."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kontakt.cases.links import token_hash
from kontakt.cases.models import SatisfactionSurvey
from kontakt.cases.services import case_change_status
from kontakt.cases.surveys import survey_answer, survey_create, survey_open
from kontakt.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(second_line, parking_type):
    case = CaseFactory(case_type=parking_type, by=second_line)
    return case_change_status(case=case, to_status="closed", resolution="Klart", by=second_line)


def test_a_survey_is_opened_by_its_token_and_stores_only_the_hash(closed_case):
    token = survey_create(case=closed_case)
    survey = survey_open(token=token)
    assert survey is not None and survey.case == closed_case
    assert survey.token_hash == token_hash(token) and token not in survey.token_hash
    assert (survey.case_type_id, survey.department_id) == (
        closed_case.case_type_id,
        closed_case.department_id,
    )
    assert survey.expires_at - survey.sent_at == timedelta(days=30)


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "a" * 5000, "\x00", "é" * 43])
def test_an_unknown_token_opens_nothing(closed_case, token):
    survey_create(case=closed_case)
    assert survey_open(token=token) is None


def test_an_expired_survey_opens_nothing(closed_case):
    token = survey_create(case=closed_case, now=timezone.now() - timedelta(days=31))
    assert survey_open(token=token) is None


def test_a_survey_is_about_a_case_or_a_contact():
    with pytest.raises(ValueError):
        survey_create()


def test_the_answer_is_stored_once(closed_case):
    survey = survey_open(token=survey_create(case=closed_case))
    assert survey is not None
    answered = survey_answer(survey=survey, score=4, comment="  Snabbt och vänligt.  ")
    assert (answered.score, answered.comment) == (4, "Snabbt och vänligt.")
    assert answered.answered_at is not None
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, score=1, comment="Ändrar mig")
    assert "score" in refused.value.message_dict
    stored = SatisfactionSurvey.objects.get(pk=survey.pk)
    assert (stored.score, stored.comment) == (4, "Snabbt och vänligt.")


@pytest.mark.parametrize(
    ("score", "comment", "field"),
    [
        (0, "", "score"),
        (6, "", "score"),
        (True, "", "score"),
        ("5", "", "score"),
        (3, "x" * 2001, "comment"),
        (3, "a\x00b", "comment"),
    ],
)
def test_bad_answers_are_refused_with_the_field(closed_case, score, comment, field):
    survey = survey_open(token=survey_create(case=closed_case))
    assert survey is not None
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=survey, score=score, comment=comment)
    assert list(refused.value.message_dict) == [field]
    assert SatisfactionSurvey.objects.get(pk=survey.pk).answered_at is None


def test_a_comment_of_the_longest_length_is_kept(closed_case):
    survey = survey_open(token=survey_create(case=closed_case))
    assert survey is not None
    assert len(survey_answer(survey=survey, score=5, comment="å" * 2000).comment) == 2000
