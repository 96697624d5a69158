"""Private links to a case, and what a resident tells beyond the text: the place and the
answers to the case type's questions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kontakt.cases.links import (
    case_has_live_links,
    case_link_create,
    case_link_open,
    case_links_revoke,
    token_hash,
)
from kontakt.cases.models import CaseLink, CaseTypeAttribute
from kontakt.cases.questions import answers_check, answers_shown, place_check

from .factories import CaseFactory


@pytest.fixture
def case(parking_type, second_line):
    return CaseFactory(case_type=parking_type, by=second_line)


def test_a_link_opens_its_case_and_only_its_hash_is_kept(case):
    token = case_link_create(case=case)
    assert len(token) >= 43
    assert case_link_open(token=token) == case
    stored = CaseLink.objects.get(case=case)
    assert stored.token_hash == token_hash(token) != token
    assert stored.last_used_at is not None


@pytest.mark.parametrize(
    "token", ["", "x", "A" * 43, "A" * 10_000, "\x00" * 43, "ö" * 43, "../../etc/passwd"]
)
def test_an_unknown_token_opens_nothing(case, token):
    case_link_create(case=case)
    assert case_link_open(token=token) is None


def test_an_expired_or_revoked_link_opens_nothing(case, handler, agent):
    token = case_link_create(case=case)
    later = timezone.now() + timedelta(days=366)
    assert case_link_open(token=token, now=later) is None
    with pytest.raises(PermissionDenied):
        case_links_revoke(case=case, by=agent)
    assert case_has_live_links(case=case)
    assert case_links_revoke(case=case, by=handler) == 1
    assert case_link_open(token=token) is None
    assert not case_has_live_links(case=case)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"latitude": "9999", "longitude": "18"}, "lat"),
        ({"latitude": "59", "longitude": "-181"}, "long"),
        ({"latitude": "NaN", "longitude": "18"}, "lat"),
        ({"latitude": "Infinity", "longitude": "18"}, "lat"),
        ({"latitude": "59.3"}, "long"),
        ({"longitude": "18.0"}, "lat"),
        ({"address": "x" * 201}, "address_string"),
    ],
)
def test_an_impossible_place_is_refused_by_its_field(given, field):
    with pytest.raises(ValidationError) as raised:
        place_check(**given)
    assert field in raised.value.message_dict


def test_a_place_is_kept_to_six_decimals_and_cleaned():
    place = place_check(latitude=" 59.3293235 ", longitude="18.0686", address="Storgatan\x00 1")
    assert place is not None
    assert place.latitude == Decimal("59.329324")
    assert place.longitude == Decimal("18.068600")
    assert place.address == "Storgatan 1"
    assert place_check() is None
    assert place_check(address="   ") is None
    # A decimal comma, as residents here write it.
    comma = place_check(latitude="59,3293", longitude="18,0686")
    assert comma is not None and comma.latitude == Decimal("59.329300")


@pytest.fixture
def questions(parking_type):
    CaseTypeAttribute.objects.create(
        case_type=parking_type, code="pole", question="Pole number", order=1
    )
    CaseTypeAttribute.objects.create(
        case_type=parking_type,
        code="fault",
        question="What is wrong?",
        datatype="singlevaluelist",
        required=True,
        order=0,
        values=[{"key": "dark", "name": "Dark"}, {"key": "blinks", "name": "Blinks"}],
    )
    CaseTypeAttribute.objects.create(
        case_type=parking_type,
        code="bins",
        question="Which bins?",
        datatype="multivaluelist",
        values=[{"key": "rest", "name": "Rest"}, {"key": "food", "name": "Food"}],
        order=2,
    )
    CaseTypeAttribute.objects.create(
        case_type=parking_type, code="count", question="How many?", datatype="number", order=3
    )
    CaseTypeAttribute.objects.create(
        case_type=parking_type, code="when", question="When?", datatype="datetime", order=4
    )
    return parking_type


def test_answers_are_stored_in_their_form(questions):
    stored = answers_check(
        case_type=questions,
        answers={
            "fault": "dark",
            "pole": " 12-34 ",
            "bins": ["food", "rest", "food"],
            "count": "3",
            "when": "2026-05-04T08:30",
            "unknown": "left out",
        },
    )
    assert stored == {
        "fault": "dark",
        "pole": "12-34",
        "bins": ["rest", "food"],
        "count": 3,
        "when": "2026-05-04T08:30:00",
    }


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "attribute[fault]"),
        ({"fault": "purple"}, "attribute[fault]"),
        ({"fault": "dark", "bins": ["glass"]}, "attribute[bins]"),
        ({"fault": "dark", "count": "many"}, "attribute[count]"),
        ({"fault": "dark", "count": "1e400"}, "attribute[count]"),
        ({"fault": "dark", "when": "9999-01-01T00:00"}, "attribute[when]"),
        ({"fault": "dark", "when": "2026-02-30T10:00"}, "attribute[when]"),
        ({"fault": "dark", "pole": "x" * 201}, "attribute[pole]"),
        ({"fault": "dark", "pole": "a\x00b"}, "attribute[pole]"),
    ],
)
def test_bad_answers_are_refused_by_their_field(questions, answers, field):
    with pytest.raises(ValidationError) as raised:
        answers_check(case_type=questions, answers=answers)
    assert field in raised.value.message_dict


def test_answers_show_with_their_questions_whatever_is_stored(questions, second_line):
    case = CaseFactory(case_type=questions, by=second_line)
    case.attributes = {"bins": ["rest", "food"], "fault": "dark", "gone": {"odd": [1]}}
    assert answers_shown(case) == [
        ("What is wrong?", "Dark"),
        ("Which bins?", "Rest, Food"),
        ("gone", "{'odd': [1]}"),
    ]
    case.attributes = ["not", "a", "dict"]
    assert answers_shown(case) == []
