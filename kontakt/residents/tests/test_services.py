"""Residents: identity numbers, duplicates, phone numbers, who sees what."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents.models import Resident, ResidentAccess
from kontakt.residents.selectors import (
    identity_number_shown,
    normalize_phone,
    resident_find,
    resident_get,
)
from kontakt.residents.services import (
    ResidentDraft,
    resident_access_log,
    resident_create,
    resident_update,
)
from kontakt.residents.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

SWEDISH_MO = Path(settings.LOCALE_PATHS[0]) / "sv" / "LC_MESSAGES" / "django.mo"


def register(by, **fields) -> Resident:
    return resident_create(draft=ResidentDraft(**{"name": "Karin Lindqvist", **fields}), by=by)


@pytest.mark.parametrize(
    ("given", "stored", "country"),
    [
        ("19121212-1212", "191212121212", "SE"),
        ("191212121212", "191212121212", "SE"),
        ("121212+1212", "191212121212", "SE"),  # ten digits, "+": a hundred years or older
        ("121212-1212", "201212121212", "SE"),  # ten digits, "-": younger than a hundred
        (" 19121212-1212 ", "191212121212", "SE"),
        ("15076500565", "15076500565", "NO"),  # a Norwegian fødselsnummer
    ],
)
def test_a_valid_identity_number_is_stored_normalised(agent, given, stored, country):
    resident = register(agent, identity_number=given)
    resident.refresh_from_db()
    assert (resident.identity_number, resident.identity_country) == (stored, country)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("19121212-1213", "The check digit is wrong; look at the number again."),
        ("19121312-1211", "The number does not hold a real date of birth."),
        ("1912", "This is not a Swedish personnummer or a Norwegian fødselsnummer."),
        ("abcdefgh-ijkl", "This is not a Swedish personnummer or a Norwegian fødselsnummer."),
    ],
)
def test_an_invalid_identity_number_is_refused_with_a_message(agent, given, message):
    with pytest.raises(ValidationError) as refused:
        register(agent, identity_number=given)
    assert refused.value.message_dict == {"identity_number": [message]}
    assert Resident.objects.count() == 0


@pytest.mark.skipif(
    not SWEDISH_MO.exists(), reason="kontakt/locale/sv has no compiled django.mo yet"
)
def test_the_identity_number_message_is_translated(agent):
    messages = {}
    for language in ("en", "sv"):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            register(agent, identity_number="19121212-1213")
        messages[language] = refused.value.message_dict["identity_number"][0]
    assert messages["sv"] != messages["en"]


def test_an_identity_number_is_registered_once(agent):
    register(agent, identity_number="19121212-1212")
    for same in ("19121212-1212", "121212+1212", "191212121212"):
        with pytest.raises(ValidationError) as refused:
            register(agent, name="Någon annan", identity_number=same)
        assert list(refused.value.message_dict) == ["identity_number"]
    assert Resident.objects.count() == 1


def test_residents_without_identity_numbers_are_not_duplicates(agent):
    register(agent)
    register(agent)
    assert Resident.objects.filter(identity_number="").count() == 2


def test_an_update_may_not_take_another_residents_number(agent):
    register(agent, identity_number="19121212-1212")
    other = register(agent, name="Kalle")
    with pytest.raises(ValidationError):
        resident_update(
            resident=other,
            draft=ResidentDraft(name="Kalle", identity_number="121212+1212"),
            by=agent,
        )
    other.refresh_from_db()
    assert other.identity_number == ""


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("070-123 45 67", "+46701234567"),
        ("0701234567", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0046701234567", "+46701234567"),
        ("08-508 000 00", "+46850800000"),
        ("912 34 567", "+4791234567"),  # Norwegian mobile, no trunk prefix
        ("+47 22 33 44 55", "+4722334455"),
    ],
)
def test_phone_numbers_are_normalised(raw, normalised):
    assert normalize_phone(raw) == normalised


def test_phones_and_emails_are_cleaned_on_registration(agent):
    resident = register(
        agent,
        phones=["070-123 45 67", "+46701234567", " "],
        emails=["Karin.Lindqvist@Example.SE ", "karin.lindqvist@example.se"],
    )
    assert list(resident.phones.values_list("number", flat=True)) == ["+46701234567"]
    assert list(resident.emails.values_list("address", flat=True)) == ["karin.lindqvist@example.se"]


def test_bad_phones_emails_and_choices_are_refused_together(agent):
    with pytest.raises(ValidationError) as refused:
        register(
            agent,
            name=" ",
            kind="robot",
            phones=["12"],
            emails=["inte-en-adress"],
            preferred_channel="fax",
        )
    assert set(refused.value.message_dict) == {
        "name",
        "kind",
        "phones",
        "emails",
        "preferred_channel",
    }
    assert "“12” is not a phone number." in refused.value.message_dict["phones"]


def test_an_update_replaces_phones_and_emails(agent):
    resident = register(agent, phones=["0701234567", "0702222222"], emails=["a@example.se"])
    resident_update(
        resident=resident,
        draft=ResidentDraft(
            name="Karin L", phones=["0702222222", "0703333333"], emails=["b@example.se"]
        ),
        by=agent,
    )
    resident.refresh_from_db()
    assert resident.name == "Karin L"
    assert sorted(resident.phones.values_list("number", flat=True)) == [
        "+46702222222",
        "+46703333333",
    ]
    assert list(resident.emails.values_list("address", flat=True)) == ["b@example.se"]


@pytest.mark.parametrize("role", [Role.HANDLER, Role.DEPARTMENT_CONTACT])
def test_department_staff_may_not_register_or_change_residents(role, department_a):
    user = UserFactory(role=role, department=department_a)
    with pytest.raises(PermissionDenied):
        register(user)
    resident = ResidentFactory()
    with pytest.raises(PermissionDenied):
        resident_update(resident=resident, draft=ResidentDraft(name="Ny"), by=user)
    assert Resident.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.AGENT, "19121212-****"),
        (Role.SWITCHBOARD, "19121212-****"),
        (Role.DEPARTMENT_CONTACT, "19121212-****"),
        (Role.SECOND_LINE, "19121212-1212"),
        (Role.HANDLER, "19121212-1212"),
        (Role.SUPERVISOR, "19121212-1212"),
        (Role.ADMINISTRATOR, "19121212-1212"),
    ],
)
def test_the_identity_number_is_masked_for_roles_that_need_not_see_it(
    role, shown, resident, department_a
):
    user = UserFactory(role=role, department=department_a)
    assert identity_number_shown(user=user, resident=resident) == shown


def test_a_norwegian_number_is_masked_after_the_birth_date(agent, handler):
    resident = ResidentFactory(identity_number="15076500565", identity_country="NO")
    assert identity_number_shown(user=agent, resident=resident) == "150765*****"
    assert identity_number_shown(user=handler, resident=resident) == "15076500565"


def test_a_resident_without_a_number_shows_none(agent):
    assert identity_number_shown(user=agent, resident=ResidentFactory()) == ""


# Finding residents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "070-123 45 67",
        "+46701234567",
        "KARIN@example.se",
        "19121212-1212",
        "121212-1212",
        "karin lindq",
        "Lindqvist",
    ],
)
def test_a_resident_is_found_by_phone_email_identity_number_or_name(agent, resident, query):
    ResidentFactory(name="Kalle Svensson", phones=["+46709999999"])
    assert resident_find(user=agent, query=query) == [resident]


def test_finding_nothing(agent, resident):
    assert resident_find(user=agent, query="   ") == []
    assert resident_find(user=agent, query="Okänd Person") == []


def test_department_staff_see_only_residents_with_cases_in_their_department(
    agent, handler, handler_b, resident, parking_type
):
    stranger = ResidentFactory(name="Karin Andersson")
    CaseFactory(case_type=parking_type, resident=resident, by=agent)
    CaseFactory(case_type=parking_type, resident=resident, by=agent)  # no duplicates

    assert resident_find(user=handler, query="Karin") == [resident]
    assert resident_find(user=handler_b, query="Karin") == []
    assert resident_get(user=handler, resident_id=resident.pk) == resident
    from django.http import Http404

    with pytest.raises(Http404):
        resident_get(user=handler, resident_id=stranger.pk)
    with pytest.raises(Http404):
        resident_get(user=UserFactory(role=None), resident_id=resident.pk)
    assert len(resident_find(user=agent, query="Karin")) == 2


def test_reading_a_resident_is_recorded(agent, resident):
    resident_access_log(resident=resident, user=agent, what="desk")
    access = ResidentAccess.objects.get()
    assert (access.resident, access.user, access.what) == (resident, agent, "desk")
