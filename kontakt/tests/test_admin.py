"""The admin: supervisors read and change nothing, administrators keep it whole.

Every model admin registered on the site is walked, so an admin added later is covered
without a line here.
"""

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from kontakt.accounts.models import ApiToken, User
from kontakt.accounts.roles import ROLE_PERMISSIONS
from kontakt.accounts.services import api_token_create
from kontakt.cases.models import Case, CaseType, Contact
from kontakt.cases.services import ContactDraft
from kontakt.cases.tests.factories import CaseFactory, CaseTypeFactory
from kontakt.directory.models import (
    AnswerGroup,
    CalendarFeed,
    ClosedDay,
    Department,
    Employee,
    OpeningHours,
)
from kontakt.knowledge.models import Article, Synonym
from kontakt.knowledge.tests.factories import make_article
from kontakt.open311.models import Open311Client, Open311Request
from kontakt.residents.models import Resident
from kontakt.residents.services import resident_access_log
from kontakt.telephony.models import PhoneNumber
from kontakt.tests.intake import contact_log

pytestmark = pytest.mark.django_db

# What a supervisor's role lets them read in the admin (its view and change permissions).
# Open311's clients and their requests: supervisors follow which apps file what.
SUPERVISOR_READS = {
    Resident,
    Contact,
    Case,
    CaseType,
    Article,
    User,
    Open311Client,
    Open311Request,
}


@pytest.fixture
def stored(resident, parking_type, second_line, agent, administrator) -> dict[type[Model], Model]:
    """An object of as many registered models as the walk needs to open a change page."""
    case = CaseFactory.create(case_type=parking_type, resident=resident, by=second_line)
    contact_log(
        draft=ContactDraft(
            channel="phone", outcome="closed", resident=resident, case_type=parking_type
        ),
        by=agent,
    )
    make_article("Parkering", department=parking_type.department)
    Synonym.objects.create(words="bil, fordon", language="sv")
    group = AnswerGroup.objects.create(name="Växeln", code="vaxel")
    ClosedDay.objects.create(date="2026-12-24", name="Julafton")
    CalendarFeed.objects.create(
        employee=Employee.objects.create(display_name="Anna Berg"),
        url="https://kalender.example/anna.ics",
        last_error="The server answered 500 Internal Server Error.",
    )
    api_token_create(user=administrator, name="integration")
    resident_access_log(resident=resident, user=agent, what="desk")
    PhoneNumber.objects.create(
        number="+4640100000",
        name="Kontaktcenter",
        greeting="Hej",
        closed_message="Stängt",
        default_group=group,
    )
    assert case.pk
    found = {}
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            found[model] = obj
    return found


def _urls(model: type[Model], obj: Model | None) -> dict[str, str]:
    info = (model._meta.app_label, model._meta.model_name)
    urls = {
        "changelist": reverse("admin:{}_{}_changelist".format(*info)),
        "add": reverse("admin:{}_{}_add".format(*info)),
    }
    pk = obj.pk if obj is not None else 999999
    urls["change"] = reverse("admin:{}_{}_change".format(*info), args=[pk])
    urls["delete"] = reverse("admin:{}_{}_delete".format(*info), args=[pk])
    return urls


def _form_data(client: Client, url: str) -> dict[str, Any]:
    """What the change page of an administrator would post back: its form as it stands."""
    response = client.get(url)
    assert response.status_code == 200, url
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def _walk_as(
    user: User, stored: dict[type[Model], Model], *, reads: set[type[Model]]
) -> list[tuple[str, str, int, int]]:
    """(model, page, expected, got) for every page a reader may and may not open."""
    client = Client()
    client.force_login(user)
    wrong = []
    for model in admin.site._registry:
        obj = stored.get(model)
        urls = _urls(model, obj)
        expected = {
            ("changelist", "get"): 200 if model in reads else 403,
            ("add", "get"): 403,
            ("add", "post"): 403,
            ("change", "post"): 403,
            ("delete", "get"): 403,
            ("delete", "post"): 403,
        }
        if obj is None:  # a missing object is answered as missing before any permission
            del expected["change", "post"], expected["delete", "get"], expected["delete", "post"]
        else:
            expected["change", "get"] = 200 if model in reads else 403
        for (page, method), status in expected.items():
            if method == "get":
                response = client.get(urls[page])
            else:
                response = client.post(urls[page], {"post": "yes"})
            if response.status_code != status:
                wrong.append((model.__name__, f"{method} {page}", status, response.status_code))
    return wrong


def test_migrate_gives_every_role_all_its_permissions():
    # The test database is made by migrate, as a new installation's is: every role's group
    # holds its permissions, those of apps migrated after accounts too.
    for role, names in ROLE_PERMISSIONS.items():
        held = Group.objects.get(name=role.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
        assert {f"{app}.{codename}" for app, codename in held} == set(names), role


@pytest.fixture
def supervisor_in_admin(supervisor) -> User:
    supervisor.is_staff = True  # let into the admin, as the demo's supervisors are
    supervisor.save()
    return supervisor


def _row_counts() -> dict[type, int]:
    # The sign-in log (axes) grows by the walk's own sign-in, not by anything the admin wrote.
    models = [model for model in admin.site._registry if model._meta.app_label != "axes"]
    return {model: model._default_manager.count() for model in models}


def test_every_model_admin_is_read_only_to_a_supervisor(supervisor_in_admin, stored):
    counts = _row_counts()
    wrong = _walk_as(supervisor_in_admin, stored, reads=SUPERVISOR_READS)
    assert wrong == [], "\n".join(map(str, wrong))
    assert _row_counts() == counts
    assert stored[Resident].name == Resident.objects.get(pk=stored[Resident].pk).name


def test_a_supervisor_changes_nothing_even_with_every_model_permission(supervisor_in_admin, stored):
    # The rule is the site's, not the role's: a group given every permission still only reads.
    Group.objects.get(name="supervisor").permissions.set(Permission.objects.all())
    wrong = _walk_as(supervisor_in_admin, stored, reads=set(admin.site._registry))
    assert wrong == [], "\n".join(map(str, wrong))


def test_the_admin_page_of_a_supervisor_offers_no_writing(supervisor_in_admin, stored, resident):
    client = Client()
    client.force_login(supervisor_in_admin)
    page = client.get(reverse("admin:residents_resident_change", args=[resident.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    listing = client.get(reverse("admin:residents_resident_changelist"))
    assert b"delete_selected" not in listing.content
    assert reverse("admin:residents_resident_add").encode() not in listing.content


def test_an_administrator_opens_every_admin_and_changes(administrator, stored):
    client = Client()
    client.force_login(administrator)
    for model, model_admin in admin.site._registry.items():
        urls = _urls(model, stored.get(model))
        assert client.get(urls["changelist"]).status_code == 200, model
        if model in stored:
            assert client.get(urls["change"]).status_code == 200, model
        request = type("Request", (), {"user": administrator})()
        assert model_admin.has_view_permission(request)
    department = Department.objects.get(code="gata")
    url = reverse("admin:directory_department_change", args=[department.pk])
    data = _form_data(client, url)
    data["name"] = "Stadsmiljöförvaltningen"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    department.refresh_from_db()
    assert department.name == "Stadsmiljöförvaltningen"
    assert ApiToken.objects.exists()


# API tokens ------------------------------------------------------------------------------


def _add_token(client: Client, user: User, name: str) -> str:
    """Add a token on the admin's add page; the key it shows once."""
    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": user.pk, "name": name}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if "kt_" in str(m)]
    assert len(shown) == 1, shown
    return shown[0][shown[0].index("kt_") :]


def test_an_administrator_adds_api_tokens_whose_keys_are_shown_once(
    administrator, agent, client_for
):
    client = client_for(administrator)
    first = _add_token(client, agent, "integration")
    second = _add_token(client, agent, "another")  # the second one failed with 500
    assert first != second
    for key in (first, second):
        token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
        assert token.user == agent
        assert token.prefix == key[3:11]
        api = Client(headers={"Authorization": f"Bearer {key}"})
        assert api.get("/api/v1/departments").status_code == 200
    # The key is nowhere afterwards: not on the list, not on the token's page.
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(first))
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    for response in (listing, page):
        assert first.encode() not in response.content
        assert token.key_hash.encode() not in response.content


def test_editing_an_api_token_renames_or_revokes_it_and_keeps_its_key(
    administrator, agent, client_for
):
    client = client_for(administrator)
    key = _add_token(client, agent, "integration")
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    response = client.post(
        url,
        {
            "name": "renamed",
            "revoked_at_0": "2026-03-02",
            "revoked_at_1": "10:00",
            "key_hash": "0" * 64,
            "user": administrator.pk,
        },
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert (token.name, token.user, token.key_hash) == ("renamed", agent, ApiToken.hash_key(key))
    assert token.revoked_at is not None


def test_a_token_for_a_user_without_a_role_is_refused(administrator, no_role_user, client_for):
    response = client_for(administrator).post(
        reverse("admin:accounts_apitoken_add"), {"user": no_role_user.pk, "name": "x"}
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


# A resident stored with an identity number that is not one -------------------------------


@pytest.mark.parametrize(("role", "sees"), [("agent", False), ("second_line", True)])
def test_a_stored_invalid_identity_number_breaks_no_page(
    role, sees, users, parking_type, second_line, client_for, api_client_for
):
    # Saved before the admin validated numbers, straight through the ORM.
    resident = Resident.objects.create(
        name="Karin Lindqvist", identity_number="12345", identity_country="SE"
    )
    case = CaseFactory.create(case_type=parking_type, resident=resident, by=second_line)
    user = users[role]
    web = client_for(user)
    desk = web.get(f"/desk/?resident={resident.pk}")
    case_page = web.get(f"/cases/{case.reference}/")
    api = api_client_for(user)
    one = api.get(f"/api/v1/residents/{resident.pk}")
    found = api.get("/api/v1/residents", {"q": "Karin Lindqvist"})
    assert [r.status_code for r in (desk, case_page, one, found)] == [200, 200, 200, 200]
    shown = one.json()["identity_number"]
    assert found.json()[0]["identity_number"] == shown
    assert "not a valid number" in shown
    assert ("12345" in shown) is sees
    for page in (desk, case_page):
        assert "not a valid number" in page.content.decode()
        assert ("12345" in page.content.decode()) is sees


# The resident admin validates as the residents service does --------------------------------

RESIDENT_FORM = {
    "kind": "person",
    "name": "Karin Berg",
    "identity": "",
    "phone_numbers": "",
    "email_addresses": "",
    "street_address": "",
    "postal_code": "",
    "city": "",
    "preferred_language": "sv",
    "preferred_channel": "phone",
    "notes": "",
}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"identity": "12345"}, "identity"),
        ({"identity": "19121212-1213"}, "identity"),  # wrong check digit
        ({"phone_numbers": "070-123 45 67\nabc"}, "phone_numbers"),
        ({"email_addresses": "not-an-address"}, "email_addresses"),
        ({"name": "Karin\x00Berg"}, "name"),
        ({"name": "K" * 201}, "name"),
        ({"notes": "a\x00b"}, "notes"),
        ({"name": "   "}, "name"),
    ],
)
def test_the_resident_admin_refuses_what_the_service_refuses(
    fields, field, administrator, client_for
):
    response = client_for(administrator).post(
        reverse("admin:residents_resident_add"), {**RESIDENT_FORM, **fields}
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Resident.objects.exists()


def test_the_resident_admin_stores_what_the_service_would(administrator, resident, client_for):
    client = client_for(administrator)
    response = client.post(
        reverse("admin:residents_resident_add"),
        {
            **RESIDENT_FORM,
            "identity": "19121212-1212",  # Karin Lindqvist's
            "phone_numbers": "070-765 43 21",
            "notes": "Ringer helst på förmiddagen.",
        },
    )
    assert response.context["adminform"].form.errors["identity"] == [
        "A resident with this number is already registered."
    ]
    response = client.post(
        reverse("admin:residents_resident_add"),
        {
            **RESIDENT_FORM,
            "identity": "19800101-1231",
            "phone_numbers": "070-765 43 21\n\n+46 70 765 43 21",
            "email_addresses": "Karin.Berg@Example.SE",
            "notes": "Ringer helst på förmiddagen.",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Resident.objects.get(name="Karin Berg")
    assert (added.identity_number, added.identity_country) == ("198001011231", "SE")
    assert [p.number for p in added.phones.all()] == ["+46707654321"]
    assert [e.address for e in added.emails.all()] == ["karin.berg@example.se"]
    assert added.notes == "Ringer helst på förmiddagen."
    # Changing it: phones become those given; the stored number is shown for editing.
    url = reverse("admin:residents_resident_change", args=[added.pk])
    assert client.get(url).context["adminform"].form["identity"].value() == "198001011231"
    response = client.post(
        url,
        {
            **RESIDENT_FORM,
            "identity": "198001011231",
            "phone_numbers": "0701234000",
            "email_addresses": "karin.berg@example.se",
            "city": "Sjöstad",
        },
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.city == "Sjöstad"
    assert [p.number for p in added.phones.all()] == ["+46701234000"]


def test_a_resident_stored_with_an_invalid_number_is_corrected_in_the_admin(
    administrator, client_for
):
    resident = Resident.objects.create(
        name="Karin Berg", identity_number="12345", identity_country="SE"
    )
    client = client_for(administrator)
    url = reverse("admin:residents_resident_change", args=[resident.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {**RESIDENT_FORM, "identity": "12345"})
    assert "identity" in refused.context["adminform"].form.errors
    assert client.post(url, {**RESIDENT_FORM, "identity": ""}).status_code == 302
    resident.refresh_from_db()
    assert (resident.identity_number, resident.identity_country) == ("", "")


# Case types and staff users: the values the rest of the system can work with ------------


# The case type's questions (an inline): none.
NO_QUESTIONS = {"attributes-TOTAL_FORMS": "0", "attributes-INITIAL_FORMS": "0"}


@pytest.mark.parametrize(
    ("values", "datatype", "ok"),
    [
        ('[{"key": "dark", "name": "Dark"}]', "singlevaluelist", True),
        ("[]", "singlevaluelist", False),
        ('[{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]', "multivaluelist", False),
        ('[{"key": 1, "name": "A"}]', "singlevaluelist", False),
        ('["a"]', "singlevaluelist", False),
        ('[{"key": "a\\u0000", "name": "A"}]', "singlevaluelist", False),
        ('[{"key": "a", "name": "A"}]', "string", False),
        ("[]", "string", True),
    ],
)
def test_a_case_type_question_has_choices_only_of_its_kind(
    values, datatype, ok, administrator, department_a, center_hours, client_for
):
    response = client_for(administrator).post(
        reverse("admin:cases_casetype_add"),
        {
            "name": "Gatlampa",
            "code": "gatlampa",
            "department": department_a.pk,
            "answer_group": "",
            "response_time": "16:00:00",
            "first_line_may_close": "on",
            "routine": "",
            "active": "on",
            "attributes-TOTAL_FORMS": "1",
            "attributes-INITIAL_FORMS": "0",
            "attributes-0-order": "0",
            "attributes-0-code": "fel",
            "attributes-0-question": "Vad är fel?",
            "attributes-0-datatype": datatype,
            "attributes-0-values": values,
        },
    )
    assert response.status_code in (200, 302)
    assert CaseType.objects.filter(code="gatlampa").exists() is ok


@pytest.mark.parametrize(
    ("response_time", "ok"),
    [("16:00:00", True), ("2000:00:00", True), ("2000:00:01", False), ("0", False)],
)
def test_a_case_type_response_time_is_one_due_dates_can_be_counted_in(
    response_time, ok, administrator, department_a, center_hours, client_for
):
    response = client_for(administrator).post(
        reverse("admin:cases_casetype_add"),
        {
            "name": "Bygglov",
            "code": "bygglov",
            "department": department_a.pk,
            "answer_group": "",
            "response_time": response_time,
            "first_line_may_close": "on",
            "routine": "",
            "active": "on",
            **NO_QUESTIONS,
        },
    )
    assert CaseType.objects.filter(code="bygglov").exists() is ok
    if not ok:
        assert "response_time" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    ("languages", "stored"),
    [
        ('["sv", "EN", "sv", "zh-hant"]', ["sv", "en", "zh-hant"]),
        ("[]", []),
        ("5", None),
        ('{"sv": 1}', None),
        ('[["sv"]]', None),
        ('["svenska och engelska"]', None),
        ('["sv\\u0000"]', None),
    ],
)
def test_a_staff_users_languages_are_language_codes(languages, stored, agent, administrator):
    request = RequestFactory().get("/")
    request.user = administrator
    form_class = admin.site._registry[User].get_form(request, agent, change=True)
    form = form_class(instance=agent, data={"username": agent.username, "languages": languages})
    form.is_valid()
    if stored is None:
        assert "languages" in form.errors
    else:
        assert "languages" not in form.errors
        assert form.cleaned_data["languages"] == stored


def test_attachments_are_read_in_the_case_admin(
    administrator, parking_type, second_line, client_for
):
    case = CaseFactory.create(case_type=parking_type, by=second_line)
    page = client_for(administrator).get(reverse("admin:cases_case_change", args=[case.pk]))
    inline = next(
        formset
        for formset in page.context["inline_admin_formsets"]
        if formset.opts.model.__name__ == "Attachment"
    )
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission


@pytest.mark.parametrize(
    ("opens", "closes", "ok"),
    [
        ("16:00", "18:00", True),
        ("15:00", "17:00", False),
        ("07:00", "09:00", False),
        ("12:00", "11:00", False),
    ],
)
def test_opening_hours_do_not_overlap(opens, closes, ok, administrator, center_hours, client_for):
    # Monday is open 08:00-16:00 already.
    response = client_for(administrator).post(
        reverse("admin:directory_openinghours_add"),
        {"weekday": "0", "opens": opens, "closes": closes},
    )
    assert (response.status_code == 302) is ok
    assert OpeningHours.objects.filter(weekday=0).count() == (2 if ok else 1)
    CaseFactory.create(case_type=CaseTypeFactory.create())  # due times can still be counted
