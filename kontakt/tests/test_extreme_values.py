"""No stored value makes a page fail.

The extreme values the validators allow (the first and last instant of the time window,
the longest text of every column, every class of character that may be stored, empty
optional values) are written straight to the database for residents, contacts, cases,
case messages and articles; so are values stored before the validators existed (a contact
at year 9999, one at year 1). Then every staff page, resident page, API read and admin page
that shows them is opened by every role: none answers 500.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse

from kontakt.accounts.models import User
from kontakt.cases.models import Case, CaseEvent, CaseEventKind, CaseType, Contact
from kontakt.cases.services import ContactDraft
from kontakt.cases.tests.factories import CaseFactory
from kontakt.directory.models import Absence, Department, Unit, UnitHours, UnitKind
from kontakt.directory.services import employee_save
from kontakt.knowledge.models import Article
from kontakt.knowledge.tests.factories import make_article
from kontakt.residents.models import Resident, ResidentEmail, ResidentPhone
from kontakt.tests.intake import contact_log
from kontakt.web.schemas import time_window

pytestmark = pytest.mark.django_db

# Times stored before the window existed: the ends of what Python's datetime holds.
LEGACY_LATEST = datetime.max.replace(tzinfo=UTC)
LEGACY_EARLIEST = datetime.min.replace(tzinfo=UTC)

# Every class of character that may be stored: scripts written both ways, combining marks,
# characters beyond the Basic Multilingual Plane, invisible ones, markup and template syntax.
CHARACTERS = (
    "Åsa Øre Ñandú ÆØÅ ß "
    "محمد עברית 中文 한국어 देवनागरी "
    "e\u0301 a\u0308 "
    "😀👩‍👩‍👧 𝔘𝔫𝔦 "
    "\u200b\u200d\u2060\u202e\ufeff "
    "<script>alert(1)</script> &amp; \"' {{ x }} {% y %} %(n)s %s "
    "**bold** [l](javascript:alert(1)) `c` # h \\ / "
)


def longest(length: int, *, lines: bool = False) -> str:
    """A text of exactly `length` characters made of every class above."""
    base = CHARACTERS + ("\nline\ttab\r\n" if lines else "")
    return (base * (length // len(base) + 1))[:length]


@dataclass
class Stored:
    residents: list[Resident]
    contacts: list[Contact]
    cases: list[Case]
    events: list[CaseEvent]
    articles: list[Article]
    employees: list[int] = field(default_factory=list)
    units: list[int] = field(default_factory=list)


def _resident(**fields: object) -> Resident:
    return Resident.objects.create(**fields)


@pytest.fixture
def stored(users, parking_type: CaseType, department_a, agent: User) -> Stored:
    earliest, latest = time_window()
    full = _resident(
        kind="organisation",
        name=longest(200),
        identity_number="191212121212",
        identity_country="SE",
        street_address=longest(200),
        postal_code=longest(20),
        city=longest(100),
        preferred_language="nb",
        preferred_channel="my_pages",
        notes=longest(20_000, lines=True),
    )
    ResidentPhone.objects.create(resident=full, number="+" + "9" * 19, label=longest(40))
    ResidentEmail.objects.create(resident=full, address=("a" * 64 + "@" + "b" * 185 + ".se"))
    empty = _resident(name="K", preferred_language="")
    residents = [full, empty]

    cases: list[Case] = []
    for resident, at in ((full, latest), (empty, earliest), (full, LEGACY_LATEST)):
        case = CaseFactory.create(case_type=parking_type, resident=resident, by=agent)
        Case.objects.filter(pk=case.pk).update(
            subject=longest(200),
            description=longest(50_000, lines=True),
            resolution=longest(20_000, lines=True),
            created_at=earliest if at is not LEGACY_LATEST else LEGACY_EARLIEST,
            due_at=at,
            sla_paused_at=at,
            sla_remaining=latest - earliest,
            closed_at=at,
        )
        cases.append(case)
    blank = CaseFactory.create(case_type=parking_type, subject="x", by=agent)
    Case.objects.filter(pk=blank.pk).update(due_at=None, created_at=earliest)
    cases.append(blank)

    events = [
        CaseEvent.objects.create(
            case=case,
            kind=CaseEventKind.MESSAGE_OUT,
            at=at,
            by=agent,
            body=longest(20_000, lines=True),
            channel="email",
        )
        for case, at in ((cases[0], latest), (cases[1], earliest), (cases[2], LEGACY_LATEST))
    ]

    contacts = []
    dates: list[tuple[Resident | None, datetime, datetime | None]] = [
        (full, latest, latest),
        (empty, earliest, None),
        (full, LEGACY_LATEST, LEGACY_LATEST),
        (None, LEGACY_EARLIEST, LEGACY_EARLIEST),
    ]
    for owner, started, ended in dates:
        contact = contact_log(draft=_draft(resident=owner, case_type=parking_type), by=agent)
        Contact.objects.filter(pk=contact.pk).update(
            started_at=started,
            ended_at=ended,
            summary=longest(10_000, lines=True),
            call_id=longest(100),
        )
        contacts.append(contact)
    Contact.objects.filter(pk=contacts[0].pk).update(case=cases[0])

    articles: list[Article] = []
    for at, review in ((latest, latest.date()), (earliest, earliest.date()), (LEGACY_LATEST, None)):
        article = make_article(f"Artikel {len(articles)}", department=department_a)
        Article.objects.filter(pk=article.pk).update(
            title=longest(200),
            summary=longest(1000),
            body=longest(30_000, lines=True),
            body_html="<p>" + longest(200).replace("<", "&lt;") + "</p>",
            body_text=longest(30_000),
            keywords=longest(500),
            review_by=review,
            pinned_at=at,
            created_at=earliest if at is not LEGACY_LATEST else LEGACY_EARLIEST,
            updated_at=at,
        )
        articles.append(article)
    found = Stored(residents, contacts, cases, events, articles)
    _directory(found, department_a, agent, earliest, latest)
    return found


def _directory(
    found: Stored, department: Department, by: User, earliest: datetime, latest: datetime
) -> None:
    """A unit and a shared function with the longest texts, a full and an empty entry, and
    absences at the ends of the window and beyond it."""
    unit = Unit.objects.create(
        department=department,
        name=longest(200),
        phone="+" + "9" * 19,
        email=("a" * 64 + "@" + "b" * 185 + ".se"),
        keywords=longest(2000, lines=True),
    )
    function = Unit.objects.create(
        department=department,
        name="Växel " + longest(150),
        kind=UnitKind.FUNCTION,
        phone="+46406280400",
        keywords=longest(300),
    )
    for weekday in range(7):
        UnitHours.objects.create(unit=unit, weekday=weekday, opens=time(0), closes=time(23, 59))
    full, _changes = employee_save(
        employee=None,
        values={
            "external_id": longest(200),
            "user_name": longest(200),
            "given_name": longest(100),
            "family_name": longest(100),
            "display_name": longest(200),
            "title": longest(200),
            "unit_id": unit.pk,
            "direct_number": "+" + "9" * 19,
            "mobile": "+" + "8" * 19,
            "email": ("a" * 64 + "@" + "b" * 185 + ".se"),
            "languages": ["sv", longest(50)],
            "keywords": longest(3000, lines=True),
        },
        by=by,
    )
    employee_save(employee=full, values={"title": longest(199)}, by=None, source="scim")
    empty, _changes = employee_save(employee=None, values={"display_name": "K"}, by=None)
    for starts, ends in ((earliest, latest), (LEGACY_EARLIEST, LEGACY_LATEST)):
        Absence.objects.create(
            employee=full, starts_at=starts, ends_at=ends, note=longest(200), substitute=empty
        )
    Unit.objects.filter(pk=unit.pk).update(contact=full)
    found.employees += [full.pk, empty.pk]
    found.units += [unit.pk, function.pk]


def _draft(**fields: object) -> ContactDraft:
    return ContactDraft(channel="phone", outcome="closed", **fields)  # type: ignore[arg-type]


def staff_urls(stored: Stored) -> list[str]:
    urls = [
        "/desk/",
        "/queue/",
        "/queue/?scope=all&department=gata",
        "/cases/",
        "/cases/?status=closed",
        "/me/absence/",
        "/knowledge/",
        "/knowledge/?q=Åsa",
        "/knowledge/tasks/",
        "/knowledge/gaps/",
        "/staffing/",
        "/staffing/roster/",
        "/telephony/wallboard/",
        "/telephony/crisis/",
        "/telephony/state/",
        "/api/v1/contacts",
        "/api/v1/cases",
        "/api/v1/knowledge/search?q=%C3%85sa",
        "/directory/?q=%C3%85sa",
        "/directory/?q=V%C3%A4xel",
        "/directory/?q=99999999",
        "/directory/employees/new/",
    ]
    for employee_id in stored.employees:
        urls += [
            f"/directory/employees/{employee_id}/",
            f"/directory/employees/{employee_id}/edit/",
        ]
    urls += [f"/directory/units/{unit_id}/" for unit_id in stored.units]
    for resident in stored.residents:
        urls += [f"/desk/?resident={resident.pk}", f"/api/v1/residents/{resident.pk}"]
    for case in stored.cases:
        urls += [f"/cases/{case.reference}/", f"/api/v1/cases/{case.reference}"]
    for article in stored.articles:
        urls += [
            f"/knowledge/articles/{article.pk}/",
            f"/knowledge/articles/{article.pk}/edit/",
            f"/api/v1/knowledge/articles/{article.pk}",
        ]
    return urls


def admin_urls(stored: Stored) -> list[str]:
    """Every admin list, and the change page of every object stored here."""
    urls = ["/admin/"]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    objects: list[models.Model] = [
        *stored.residents,
        *stored.contacts,
        *stored.cases,
        *stored.events,
        *stored.articles,
        *ResidentPhone.objects.all(),
        *ResidentEmail.objects.all(),
    ]
    for item in objects:
        meta = item._meta
        if type(item) in admin.site._registry:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[item.pk]))
    return urls


def test_every_page_shows_the_extreme_values(
    stored: Stored, users: dict[str, User], client_for: Callable[[User | None], Client]
) -> None:
    failures = []
    for role, user in users.items():
        client = client_for(user)
        client.raise_request_exception = False
        for url in staff_urls(stored) + admin_urls(stored):
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{role} {url} {status}")
        search = client.post("/desk/", {"q": "K"})
        if search.status_code >= 500:
            failures.append(f"{role} POST /desk/ {search.status_code}")
    assert failures == []


def test_the_pages_show_them_to_those_who_may_see_them(
    stored: Stored, users: dict[str, User], client_for: Callable[[User | None], Client]
) -> None:
    """Not a refusal hiding a failure: the agent and the administrator see every page."""
    agent, administrator = client_for(users["agent"]), client_for(users["administrator"])
    resident, case, article = stored.residents[0], stored.cases[2], stored.articles[2]
    for url in (
        "/desk/",
        f"/desk/?resident={resident.pk}",
        f"/cases/{case.reference}/",
        "/cases/",
        f"/knowledge/articles/{article.pk}/",
    ):
        assert agent.get(url).status_code == 200, url
    for url in admin_urls(stored):
        assert administrator.get(url).status_code == 200, url


def test_public_answers_show_them(stored: Stored, client: Client) -> None:
    client.raise_request_exception = False
    for article in stored.articles:
        Article.objects.filter(pk=article.pk).update(visibility="public", status="published")
    assert client.get("/answers/").status_code == 200
    for article in Article.objects.filter(pk__in=[a.pk for a in stored.articles]):
        url = f"/answers/{article.language}/{article.translation_key}/"
        assert client.get(url).status_code == 200, url


def test_my_pages_show_them(stored: Stored, client: Client) -> None:
    """The resident's own pages: every case by its private link, and the list of them."""
    from kontakt.cases.links import case_link_create

    client.raise_request_exception = False
    for case in stored.cases:
        opened = client.get(f"/my/c/{case_link_create(case=case)}/")
        assert opened.status_code == 302, case.pk
        assert client.get(opened["Location"]).status_code == 200, opened["Location"]
    assert client.get("/my/").status_code == 200
