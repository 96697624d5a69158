"""The satisfaction question's page: one question 1–5 and a comment, by the link sent after
the case closed."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kontakt.cases.models import SatisfactionSurvey
from kontakt.cases.surveys import survey_create

pytestmark = pytest.mark.django_db


def without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    # A script's nonce is new in every answer (the content security policy's), known or not.
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)


@pytest.fixture
def token(linked) -> str:
    return survey_create(case=linked.case, channel="email")


def test_the_question_is_one_fieldset_of_five_choices(token, linked):
    page = Client().get(f"/my/survey/{token}/").content.decode()

    assert re.search(r"<fieldset[^>]*>\s*<legend", page)
    assert len(re.findall(r'type="radio" name="score"', page)) == 5
    assert 'for="score-5"' in page and 'name="comment"' in page
    assert linked.case.reference in page


def test_an_answer_is_stored_with_the_case_type_and_thanked_for(token, linked):
    web = Client()

    response = web.post(f"/my/survey/{token}/", {"score": "4", "comment": "Snabbt svar."})

    assert response.status_code == 200
    assert "Thank you for your answer" in response.content.decode()
    stored = SatisfactionSurvey.objects.get(case=linked.case)
    assert (stored.score, stored.comment) == (4, "Snabbt svar.")
    assert stored.case_type == linked.case.case_type
    again = web.get(f"/my/survey/{token}/").content.decode()
    assert "already answered" in again and 'name="score"' not in again


@pytest.mark.parametrize("score", ["", "0", "6", "12", "x", "-1"])
def test_a_score_outside_1_to_5_is_refused_and_nothing_stored(token, linked, score):
    response = Client().post(f"/my/survey/{token}/", {"score": score, "comment": "Bra"})

    assert response.status_code == 400
    assert "Choose a number from 1 to 5." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert SatisfactionSurvey.objects.get(case=linked.case).answered_at is None


def test_unknown_and_expired_links_get_the_same_answer(linked):
    expired = survey_create(case=linked.case, now=timezone.now() - timedelta(days=400))

    answers = [Client().get(f"/my/survey/{t}/") for t in (expired, "nothing-like-it", "x" * 300)]

    assert {a.status_code for a in answers} == {404}
    assert len({without_csrf(a.content.decode()) for a in answers}) == 1
