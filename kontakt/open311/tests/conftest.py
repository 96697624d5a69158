"""Open311's fixtures: a published street-lamp type that asks where and two questions, an
unpublished type, and a client with its API key."""

import pytest

from kontakt.cases.models import CaseType, CaseTypeAttribute
from kontakt.cases.tests.factories import CaseTypeFactory
from kontakt.open311.services import open311_client_create


@pytest.fixture
def lamp_type(center_hours, department_a) -> CaseType:
    case_type = CaseTypeFactory.create(
        name="Trasig gatlampa",
        code="gatlampa",
        department=department_a,
        published=True,
        ask_location=True,
        public_description="A street lamp that is dark or blinks.",
        next_steps="The street department repairs lamps within five working days.",
        keywords="lamp,belysning",
        group="Gator och trafik",
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type,
        code="fel",
        datatype="singlevaluelist",
        question="What is wrong?",
        required=True,
        order=1,
        values=[{"key": "dark", "name": "Dark"}, {"key": "blinks", "name": "Blinks"}],
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type,
        code="stolpe",
        datatype="string",
        question="The number on the post",
        description="On a sticker at eye height.",
        order=2,
    )
    return case_type


@pytest.fixture
def bench_type(center_hours, department_a) -> CaseType:
    """Published, no questions, no place needed."""
    return CaseTypeFactory.create(
        name="Trasig parkbänk", code="parkbank", department=department_a, published=True
    )


@pytest.fixture
def hidden_type(center_hours, department_b) -> CaseType:
    return CaseTypeFactory.create(name="Hemtjänst", code="hemtjanst", department=department_b)


@pytest.fixture
def api_key(db) -> str:
    _client, key = open311_client_create(name="FixMyStreet")
    return key


@pytest.fixture
def lamp_request(api_key) -> dict[str, object]:
    return {
        "api_key": api_key,
        "service_code": "gatlampa",
        "lat": "55.604981",
        "long": "13.003822",
        "address_string": "Stortorget 1, Sjöstad",
        "attribute[fel]": "dark",
        "attribute[stolpe]": "A-113",
        "description": "The lamp at the fountain is dark.",
        "email": "boende@example.se",
        "first_name": "Kim",
        "last_name": "Boende",
    }
