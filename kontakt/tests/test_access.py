"""Who may open what: every URL of the project, walked with a user of every role.

The table below names every URL pattern outside the admin; a URL added to the project
without a row here fails `test_every_url_is_in_the_table`. The admin is walked pattern by
pattern with one rule: only staff users (is_staff) get past its login.

A department handler or contact asking for another department's case or resident gets 404,
the same answer as for one that does not exist, so nothing hints that it does.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kontakt.accounts.models import User
from kontakt.cases.models import Case, CaseType
from kontakt.cases.services import case_attach
from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents.models import Resident
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.staffing.models import WhatIfRun

pytestmark = pytest.mark.django_db

ANONYMOUS, NO_ROLE = "anonymous", "no_role"
FRONT_LINE = ("agent", "second_line", "switchboard", "supervisor", "administrator")
DEPARTMENT = ("handler", "department_contact")
CASE_WORKERS = ("second_line", "supervisor", "administrator", *DEPARTMENT)
STAFF = (*FRONT_LINE, *DEPARTMENT)
PLANNERS = ("supervisor", "administrator")
EDITORS = ("department_contact", "supervisor", "administrator")
EVERYONE = (ANONYMOUS, NO_ROLE, *STAFF)
CALL_TAKERS = ("agent", "second_line", "switchboard", "supervisor")
OPERATORS = ("switchboard", "supervisor")


def statuses(default: int, **exceptions: int) -> dict[str, int]:
    """The expected status for every role: `default`, except as named."""
    expected = dict.fromkeys(EVERYONE, default)
    for role, status in exceptions.items():
        assert role in expected, role
        expected[role] = status
    return expected


def page(
    ok: int,
    *,
    only: tuple[str, ...] = STAFF,
    refused: int = 403,
    other_department: int | None = None,
) -> dict[str, int]:
    """A staff page: anonymous to the login page, no role 403, `only` get `ok`."""
    expected = statuses(refused, anonymous=302, no_role=403)
    for role in only:
        expected[role] = ok
    if other_department is not None:
        for role in DEPARTMENT:
            expected[role] = other_department
    return expected


def api(
    ok: int,
    *,
    only: tuple[str, ...] = STAFF,
    refused: int = 403,
    other_department: int | None = None,
) -> dict[str, int]:
    """An API endpoint: 401 without a valid staff token."""
    expected = page(ok, only=only, refused=refused, other_department=other_department)
    expected[ANONYMOUS] = expected[NO_ROLE] = 401
    return expected


# SCIM answers 401 to every token but a provisioning client's or an administrator's.
SCIM_ONLY = statuses(401, administrator=200)


def scim_url(path: str) -> Callable[[Any], str]:
    return lambda world: f"/scim/v2/{path}"


@dataclass
class World:
    """What the requests point at; a fresh case for each write, so a change by one role does
    not decide what the next one may do."""

    department_a_case: Callable[[], Case]
    department_b_case: Callable[[], Case]
    resident_a: Resident
    resident_b: Resident


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]
    data: Callable[[], Any] = field(default=lambda: None)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}{'-' + self.label if self.label else ''}"


def case_a(world: World) -> str:
    return world.department_a_case().reference


def case_b(world: World) -> str:
    return world.department_b_case().reference


def attachment() -> dict[str, Any]:
    return {"file": SimpleUploadedFile("brev.txt", b"Hej", content_type="text/plain")}


def attachment_of(case: Case) -> str:
    """The download URL of a fresh attachment on the case, attached by second line."""
    upload = SimpleUploadedFile("brev.txt", b"Hej", content_type="text/plain")
    by = User.objects.get(username="second")
    attached = case_attach(case=case, upload=upload, by=by)
    return f"/cases/{case.reference}/attachments/{attached.pk}/"


def what_if_run() -> int:
    run = WhatIfRun.objects.create(day=date(2026, 3, 17), interval_minutes=15, parameters={})
    return run.pk


def published_form() -> str:
    """The web form of department A's case type, published for residents."""
    CaseType.objects.filter(code="parkering").update(published=True)
    return "/form/parkering/"


def public_answer() -> str:
    """The page of a published public article, which every visitor may read."""
    from kontakt.knowledge.models import Article

    article = Article.objects.get(pk=knowledge_article())
    return f"/answers/{article.language}/{article.translation_key}/"


def knowledge_article(department_code: str = "gata") -> int:
    """A published public article of a department (made once per test)."""
    from kontakt.directory.models import Department
    from kontakt.knowledge.models import Article
    from kontakt.knowledge.services import ArticleDraft, article_save

    key = f"access-{department_code}"
    found = Article.objects.filter(translation_key=key).first()
    if found is not None:
        return found.pk
    draft = ArticleDraft(
        title=f"Svar {department_code}",
        summary="Ett svar.",
        language="sv",
        translation_key=key,
        owner_department=Department.objects.get(code=department_code),
        visibility="public",
    )
    return article_save(draft=draft, by=None).pk


def knowledge_flag() -> int:
    """A fresh open flag on department A's article."""
    from kontakt.knowledge.models import Article, ArticleFlag

    article = Article.objects.get(pk=knowledge_article())
    return ArticleFlag.objects.create(
        article=article, reason="wrong", flagged_at=article.created_at, due_on=date(2030, 1, 1)
    ).pk


def directory_unit(department_code: str = "gata") -> int:
    """A unit of the department (made once per test)."""
    from kontakt.directory.models import Department, Unit

    department = Department.objects.get(code=department_code)
    return Unit.objects.get_or_create(department=department, name=f"Enhet {department_code}")[0].pk


def directory_employee(department_code: str = "gata") -> int:
    """A fresh entry in a unit of the department."""
    from kontakt.directory.services import employee_save

    values = {"display_name": "Karin Lind", "unit_id": directory_unit(department_code)}
    return employee_save(employee=None, values=values, by=None)[0].pk


def directory_entry() -> dict[str, Any]:
    return {"given_name": "Karin", "family_name": "Lind", "unit": directory_unit()}


def private_link(world: World) -> str:
    """The token of a fresh private link to a fresh case of department A."""
    from kontakt.cases.links import case_link_create

    return case_link_create(case=world.department_a_case())


def sign_in_token() -> str:
    """A fresh e-mailed sign-in link's token (for an address nobody need have)."""
    from kontakt.portal.my_services import sign_in_token_make

    return sign_in_token_make(address="karin@example.se")


def survey_token(world: World) -> str:
    """The satisfaction question's token for a fresh case of department A."""
    from kontakt.cases.surveys import survey_create

    return survey_create(case=world.department_a_case())


NOTE = {"body": "Anteckning"}
MESSAGE = {"body": "Hej", "direction": "out", "channel": "email"}


def answer_group() -> str:
    from kontakt.directory.models import AnswerGroup

    return AnswerGroup.objects.get_or_create(code="avfall", defaults={"name": "Avfall"})[0].code


def phone_number() -> str:
    from kontakt.directory.models import AnswerGroup
    from kontakt.telephony.models import PhoneNumber

    group = AnswerGroup.objects.get(code=answer_group())
    return PhoneNumber.objects.get_or_create(
        number="+46406280400",
        defaults={
            "name": "Växel",
            "greeting": "Hej",
            "closed_message": "Stängt",
            "default_group": group,
        },
    )[0].number


def exchange_key() -> str:
    from kontakt.telephony.services import exchange_create

    return exchange_create(name=f"pbx-{uuid.uuid4()}")[1]


def direct_number() -> str:
    """The direct number of an employee in the directory."""
    from kontakt.directory.models import Employee

    return Employee.objects.get_or_create(
        direct_number="+46406281234", defaults={"display_name": "Anna Berg"}
    )[0].direct_number


def absence_employee() -> int:
    """An employee of a unit of department A (whose contact keeps its absences)."""
    from kontakt.directory.models import Department, Employee, Unit

    unit, _created = Unit.objects.get_or_create(
        department=Department.objects.get(code="gata"), name="Parkering"
    )
    return Employee.objects.get_or_create(
        display_name="Erik Holm", defaults={"unit": unit, "direct_number": "+46406281299"}
    )[0].pk


ABSENCE = {
    "starts_at": "2026-12-09T08:00",
    "ends_at": "2026-12-09T17:00",
    "reason": "course",
    "note": "Kurs",
}
EDITS_ABSENCES = ("switchboard", "department_contact", "supervisor", "administrator")


def call_event() -> list[dict[str, str]]:
    at = "2026-03-02T09:00:00+01:00"
    return [{"event_id": str(uuid.uuid4()), "call_id": "c1", "type": "offered", "at": at}]


def queued_chat(*, pk: bool = False) -> str:
    """A chat waiting in a queue (nobody is ready): its reference, or its id."""
    from django.utils import timezone

    from kontakt.directory.models import AnswerGroup
    from kontakt.telephony.models import QueuedContact

    queued = QueuedContact.objects.create(
        channel="chat",
        reference=str(uuid.uuid4()),
        answer_group=AnswerGroup.objects.get(code=answer_group()),
        queued_at=timezone.now(),
    )
    return str(queued.pk) if pk else queued.reference


def employee() -> int:
    """A person in the directory (not a Kontakt user)."""
    from kontakt.directory.services import employee_save

    saved, _changes = employee_save(
        employee=None,
        values={"display_name": "Anna Berg", "direct_number": "+46406281001"},
        by=None,
    )
    return saved.pk


def switchboard_message(*, key: bool = False) -> str:
    """A message taken for a person: its id, or its private link's key."""
    from kontakt.directory.models import Employee
    from kontakt.switchboard.links import message_key
    from kontakt.switchboard.services import MessageDraft, message_take

    operator = User.objects.get(username="switchboard")
    message = message_take(
        operator=operator,
        draft=MessageDraft(employee=Employee.objects.get(pk=employee()), about="Ring mig."),
    )
    return message_key(message) if key else str(message.pk)


def switchboard_transfer() -> int:
    from django.utils import timezone

    from kontakt.switchboard.models import Transfer

    return Transfer.objects.create(
        call_id=str(uuid.uuid4()),
        operator=User.objects.get(username="switchboard"),
        employee_id=employee(),
        target="+46406281001",
        requested_at=timezone.now(),
    ).pk


def call_taker() -> str:
    from kontakt.accounts.roles import Role
    from kontakt.accounts.tests.factories import UserFactory

    return UserFactory.create(username="phone-agent", role=Role.AGENT).username


ROWS = [
    # Signing in and out, the language.
    Row("login", "get", lambda w: "/login/", statuses(200)),
    # Health, for load balancers and monitoring: open to all (test_serving.py).
    Row("health_live", "get", lambda w: "/health/live", statuses(200)),
    Row("health_ready", "get", lambda w: "/health/ready", statuses(200)),
    Row("logout", "post", lambda w: "/logout/", statuses(302)),
    # The second factor (off in these tests: every signed-in user is sent on, anonymous to
    # the login page).
    Row("second-factor", "get", lambda w: "/login/second-factor/", statuses(302)),
    Row(
        "set_language",
        "post",
        lambda w: "/i18n/setlang/",
        statuses(302),
        lambda: {"language": "sv"},
    ),
    # The desk.
    Row("desk:home", "get", lambda w: "/", page(302)),
    Row("desk:desk", "get", lambda w: "/desk/", page(200, only=FRONT_LINE)),
    Row(
        "desk:contact_log",
        "post",
        lambda w: "/desk/contacts/",
        page(302, only=FRONT_LINE),
        lambda: {"channel": "phone", "outcome": "closed", "priority": "2"},
    ),
    Row("desk:resident_new", "get", lambda w: "/residents/new/", page(200, only=FRONT_LINE)),
    Row("desk:queue", "get", lambda w: "/queue/", page(200)),
    Row("desk:cases", "get", lambda w: "/cases/", page(200)),
    Row("desk:absence", "get", lambda w: "/me/absence/", page(200)),
    Row("desk:case", "get", lambda w: f"/cases/{case_a(w)}/", page(200), label="A"),
    Row(
        "desk:case",
        "get",
        lambda w: f"/cases/{case_b(w)}/",
        page(200, other_department=404),
        label="B",
    ),
    Row(
        "desk:case_take",
        "post",
        lambda w: f"/cases/{case_a(w)}/take/",
        page(302, only=CASE_WORKERS),
        label="A",
    ),
    Row(
        "desk:case_take",
        "post",
        lambda w: f"/cases/{case_b(w)}/take/",
        page(302, only=CASE_WORKERS, other_department=404),
        label="B",
    ),
    Row(
        "desk:case_note",
        "post",
        lambda w: f"/cases/{case_a(w)}/notes/",
        page(302),
        lambda: NOTE,
        "A",
    ),
    Row(
        "desk:case_note",
        "post",
        lambda w: f"/cases/{case_b(w)}/notes/",
        page(302, other_department=404),
        lambda: NOTE,
        "B",
    ),
    Row(
        "desk:case_message",
        "post",
        lambda w: f"/cases/{case_a(w)}/messages/",
        page(302),
        lambda: MESSAGE,
        "A",
    ),
    Row(
        "desk:case_message",
        "post",
        lambda w: f"/cases/{case_b(w)}/messages/",
        page(302, other_department=404),
        lambda: MESSAGE,
        "B",
    ),
    Row(
        "desk:case_status",
        "post",
        lambda w: f"/cases/{case_a(w)}/status/",
        page(302, only=CASE_WORKERS),
        lambda: {"status": "waiting"},
        "A",
    ),
    Row(
        "desk:case_status",
        "post",
        lambda w: f"/cases/{case_b(w)}/status/",
        page(302, only=CASE_WORKERS, other_department=404),
        lambda: {"status": "waiting"},
        "B",
    ),
    Row(
        "desk:case_links_revoke",
        "post",
        lambda w: f"/cases/{case_a(w)}/links/revoke/",
        page(302, only=CASE_WORKERS),
        lambda: {},
        "A",
    ),
    Row(
        "desk:case_links_revoke",
        "post",
        lambda w: f"/cases/{case_b(w)}/links/revoke/",
        page(302, only=CASE_WORKERS, other_department=404),
        lambda: {},
        "B",
    ),
    Row(
        "desk:case_forward",
        "post",
        lambda w: f"/cases/{case_a(w)}/forward/",
        page(302),
        lambda: {"department": "social"},
        "A",
    ),
    Row(
        "desk:case_forward",
        "post",
        lambda w: f"/cases/{case_b(w)}/forward/",
        page(302, other_department=404),
        lambda: {"department": "gata"},
        "B",
    ),
    Row(
        "desk:case_attach",
        "post",
        lambda w: f"/cases/{case_a(w)}/attachments/",
        page(302),
        attachment,
        "A",
    ),
    Row(
        "desk:case_attach",
        "post",
        lambda w: f"/cases/{case_b(w)}/attachments/",
        page(302, other_department=404),
        attachment,
        "B",
    ),
    Row(
        "desk:case_attachment",
        "get",
        lambda w: attachment_of(w.department_a_case()),
        page(200),
        label="A",
    ),
    Row(
        "desk:case_attachment",
        "get",
        lambda w: attachment_of(w.department_b_case()),
        page(200, other_department=404),
        label="B",
    ),
    # Staffing, for supervisors and administrators.
    Row("staffing:plan", "get", lambda w: "/staffing/", page(200, only=PLANNERS)),
    Row(
        "staffing:roster",
        "post",
        lambda w: "/staffing/roster/",
        page(302, only=PLANNERS),
        lambda: {"fill": "1"},
    ),
    Row("staffing:export", "get", lambda w: "/staffing/export.csv", page(200, only=PLANNERS)),
    Row("staffing:what_if", "get", lambda w: "/staffing/what-if/", page(200, only=PLANNERS)),
    Row(
        "staffing:what_if",
        "post",
        lambda w: "/staffing/what-if/",
        page(400, only=PLANNERS),
        label="incomplete",
    ),
    Row(
        "staffing:what_if_run",
        "get",
        lambda w: f"/staffing/what-if/{what_if_run()}/",
        page(200, only=PLANNERS),
    ),
    # The directory: every staff role searches and reads; administrators write every entry,
    # department contacts those in their department's units.
    Row("directory:search", "get", lambda w: "/directory/?q=karin", page(200)),
    Row(
        "directory:employee",
        "get",
        lambda w: f"/directory/employees/{directory_employee()}/",
        page(200),
    ),
    Row(
        "directory:employee_new",
        "get",
        lambda w: "/directory/employees/new/",
        page(200, only=("department_contact", "administrator")),
    ),
    Row(
        "directory:employee_new",
        "post",
        lambda w: "/directory/employees/new/",
        page(302, only=("department_contact", "administrator")),
        data=directory_entry,
        label="post",
    ),
    Row(
        "directory:employee_edit",
        "get",
        lambda w: f"/directory/employees/{directory_employee()}/edit/",
        page(200, only=("department_contact", "administrator")),
        label="A",
    ),
    Row(
        "directory:employee_edit",
        "get",
        lambda w: f"/directory/employees/{directory_employee('social')}/edit/",
        page(200, only=("administrator",)),
        label="B",
    ),
    Row(
        "directory:employee_edit",
        "post",
        lambda w: f"/directory/employees/{directory_employee()}/edit/",
        page(302, only=("department_contact", "administrator")),
        data=directory_entry,
        label="post",
    ),
    Row(
        "directory:unit",
        "get",
        lambda w: f"/directory/units/{directory_unit()}/",
        page(200),
    ),
    # The knowledge base: every staff role reads and flags; department contacts write their
    # department's articles, supervisors and administrators every one's and pin them.
    # My pages and the satisfaction question (kontakt/portal/my_urls.py).
    # A resident's pages answer everyone alike: a staff sign-in neither opens nor closes
    # anything here. A case opens only to a session that proved it (link, e-mail, e-ID).
    Row("my:index", "get", lambda w: "/my/", statuses(200)),
    Row(
        "my:index",
        "post",
        lambda w: "/my/",
        statuses(200),
        lambda: {"email": "karin@example.se"},
        label="post",
    ),
    Row("my:link", "get", lambda w: f"/my/c/{private_link(w)}/", statuses(302)),
    Row("my:link", "get", lambda w: "/my/c/no-such-link/", statuses(404), label="unknown"),
    Row("my:sign_in", "get", lambda w: f"/my/sign-in/{sign_in_token()}/", statuses(200)),
    Row(
        "my:sign_in",
        "post",
        lambda w: f"/my/sign-in/{sign_in_token()}/",
        statuses(302),
        label="post",
    ),
    Row("my:sign_out", "post", lambda w: "/my/sign-out/", statuses(302)),
    # e-ID is off without a provider (KONTAKT["EID"]["ISSUER"]); on: kontakt/portal/tests.
    Row("my:eid", "get", lambda w: "/my/e-id/", statuses(404)),
    Row("my:eid_callback", "get", lambda w: "/my/e-id/callback/", statuses(404)),
    Row("my:case", "get", lambda w: f"/my/cases/{case_a(w)}/", statuses(404)),
    Row(
        "my:case_information",
        "post",
        lambda w: f"/my/cases/{case_a(w)}/information/",
        statuses(404),
        lambda: {"body": "Mer information"},
    ),
    Row(
        "my:case_feedback",
        "post",
        lambda w: f"/my/cases/{case_a(w)}/feedback/",
        statuses(404),
        lambda: {"feedback_channel": "my_pages"},
    ),
    Row(
        "my:case_close",
        "post",
        lambda w: f"/my/cases/{case_a(w)}/close/",
        statuses(404),
        lambda: {"reason": ""},
    ),
    Row(
        "my:case_file",
        "get",
        lambda w: f"/my/cases/{case_a(w)}/files/1/",
        statuses(404),
    ),
    Row("my:survey", "get", lambda w: f"/my/survey/{survey_token(w)}/", statuses(200)),
    Row(
        "my:survey",
        "post",
        lambda w: f"/my/survey/{survey_token(w)}/",
        statuses(200),
        lambda: {"score": "5", "comment": ""},
        label="post",
    ),
    Row("knowledge:search", "get", lambda w: "/knowledge/?q=svar", page(200)),
    Row(
        "knowledge:article",
        "get",
        lambda w: f"/knowledge/articles/{knowledge_article()}/",
        page(200),
    ),
    Row(
        "knowledge:article_new",
        "get",
        lambda w: "/knowledge/articles/new/",
        page(200, only=EDITORS),
    ),
    Row(
        "knowledge:article_edit",
        "get",
        lambda w: f"/knowledge/articles/{knowledge_article()}/edit/",
        page(200, only=EDITORS),
        label="A",
    ),
    Row(
        "knowledge:article_edit",
        "get",
        lambda w: f"/knowledge/articles/{knowledge_article('social')}/edit/",
        page(200, only=("supervisor", "administrator")),
        label="B",
    ),
    Row(
        "knowledge:article_flag",
        "post",
        lambda w: f"/knowledge/articles/{knowledge_article()}/flag/",
        page(302),
        lambda: {"reason": "outdated"},
    ),
    Row(
        "knowledge:article_send",
        "post",
        lambda w: f"/knowledge/articles/{knowledge_article()}/send/",
        page(302, only=FRONT_LINE),
        lambda: {"channel": "email", "resident": str(Resident.objects.order_by("pk")[0].pk)},
    ),
    Row(
        "knowledge:article_pin",
        "post",
        lambda w: f"/knowledge/articles/{knowledge_article()}/pin/",
        page(302, only=("supervisor", "administrator")),
    ),
    Row("knowledge:tasks", "get", lambda w: "/knowledge/tasks/", page(200, only=EDITORS)),
    Row(
        "knowledge:flag_dismiss",
        "post",
        lambda w: f"/knowledge/tasks/{knowledge_flag()}/dismiss/",
        page(302, only=EDITORS, refused=404),
    ),
    Row(
        "knowledge:gaps",
        "get",
        lambda w: "/knowledge/gaps/",
        page(200, only=(*FRONT_LINE, "department_contact")),
    ),
    # Live updates: every staff role has its own desktop's stream (read in kontakt/live/tests).
    Row("live:events", "get", lambda w: "/live/events/", page(200)),
    # The residents' answers, open to everyone.
    Row("answers:index", "get", lambda w: "/answers/", statuses(200)),
    Row("answers:article", "get", lambda w: public_answer(), statuses(200)),
    # The residents' web form (kontakt/portal/form_urls.py).
    Row("form:start", "get", lambda w: "/form/", statuses(200)),
    Row("form:case_type", "get", lambda w: published_form(), statuses(200)),
    Row(
        "form:case_type",
        "post",
        lambda w: published_form(),
        statuses(400),
        data=lambda: {"description": "Trasig lampa"},
        label="incomplete",
    ),
    Row("form:answered", "get", lambda w: published_form() + "answered/", statuses(200)),
    Row("form:thanks", "get", lambda w: "/form/thanks/", statuses(404)),
    # The API, with bearer tokens.
    # The API's document and its viewer: signed-in staff only (tokens: test_serving.py).
    Row(
        "api-v1:openapi-json",
        "get",
        lambda w: "/api/v1/openapi.json",
        statuses(200, anonymous=401, no_role=403),
    ),
    Row("api-v1:openapi-view", "get", lambda w: "/api/v1/docs", page(200)),
    Row("api-v1:api-root", "get", lambda w: "/api/v1/", statuses(404)),
    Row(
        "api-v1:contact_create",
        "post",
        lambda w: "/api/v1/contacts",
        api(201, only=FRONT_LINE),
        lambda: {"channel": "phone", "outcome": "closed"},
    ),
    Row("api-v1:contact_list", "get", lambda w: "/api/v1/contacts", api(200)),
    Row(
        "api-v1:case_create",
        "post",
        lambda w: "/api/v1/cases",
        api(201, only=FRONT_LINE),
        lambda: {"case_type": "parkering", "subject": "Nytt"},
    ),
    Row("api-v1:case_list", "get", lambda w: "/api/v1/cases", api(200)),
    Row("api-v1:case_detail", "get", lambda w: f"/api/v1/cases/{case_a(w)}", api(200), label="A"),
    Row(
        "api-v1:case_detail",
        "get",
        lambda w: f"/api/v1/cases/{case_b(w)}",
        api(200, other_department=404),
        label="B",
    ),
    Row(
        "api-v1:case_note",
        "post",
        lambda w: f"/api/v1/cases/{case_a(w)}/notes",
        api(201),
        lambda: NOTE,
        "A",
    ),
    Row(
        "api-v1:case_note",
        "post",
        lambda w: f"/api/v1/cases/{case_b(w)}/notes",
        api(201, other_department=404),
        lambda: NOTE,
        "B",
    ),
    Row(
        "api-v1:case_message",
        "post",
        lambda w: f"/api/v1/cases/{case_a(w)}/messages",
        api(201),
        lambda: MESSAGE,
        "A",
    ),
    Row(
        "api-v1:case_message",
        "post",
        lambda w: f"/api/v1/cases/{case_b(w)}/messages",
        api(201, other_department=404),
        lambda: MESSAGE,
        "B",
    ),
    Row(
        "api-v1:case_status",
        "post",
        lambda w: f"/api/v1/cases/{case_a(w)}/status",
        api(200, only=CASE_WORKERS),
        lambda: {"status": "waiting"},
        "A",
    ),
    Row(
        "api-v1:case_status",
        "post",
        lambda w: f"/api/v1/cases/{case_b(w)}/status",
        api(200, only=CASE_WORKERS, other_department=404),
        lambda: {"status": "waiting"},
        "B",
    ),
    Row(
        "api-v1:case_forward",
        "post",
        lambda w: f"/api/v1/cases/{case_a(w)}/forward",
        api(200),
        lambda: {"department": "social"},
        "A",
    ),
    Row(
        "api-v1:case_forward",
        "post",
        lambda w: f"/api/v1/cases/{case_b(w)}/forward",
        api(200, other_department=404),
        lambda: {"department": "gata"},
        "B",
    ),
    Row(
        "api-v1:resident_create",
        "post",
        lambda w: "/api/v1/residents",
        api(201, only=FRONT_LINE),
        lambda: {"name": "Ny Person"},
    ),
    Row("api-v1:resident_list", "get", lambda w: "/api/v1/residents?q=Karin", api(200)),
    Row(
        "api-v1:resident_search",
        "post",
        lambda w: "/api/v1/residents/search",
        api(200),
        lambda: {"q": "Karin"},
    ),
    Row(
        "api-v1:resident_detail",
        "get",
        lambda w: f"/api/v1/residents/{w.resident_a.pk}",
        api(200),
        label="A",
    ),
    Row(
        "api-v1:resident_detail",
        "get",
        lambda w: f"/api/v1/residents/{w.resident_b.pk}",
        api(200, other_department=404),
        label="B",
    ),
    Row(
        "api-v1:knowledge_search",
        "get",
        lambda w: f"/api/v1/knowledge/search?q=svar&x={knowledge_article()}",
        statuses(200, no_role=401),
    ),
    Row(
        "api-v1:knowledge_article",
        "get",
        lambda w: f"/api/v1/knowledge/articles/{knowledge_article()}",
        statuses(200, no_role=401),
    ),
    Row(
        "api-v1:knowledge_flag",
        "post",
        lambda w: f"/api/v1/knowledge/articles/{knowledge_article()}/flags",
        api(201),
        lambda: {"reason": "outdated"},
    ),
    Row("api-v1:case_type_list", "get", lambda w: "/api/v1/case-types", api(200)),
    # Telephony: the exchange's endpoints (an administrator's token opens them too), the
    # agent's own state, the supervisors' live figures, wallboard and crisis mode.
    Row(
        "api-v1:telephony_events",
        "post",
        lambda w: "/api/v1/telephony/events",
        api(200, only=("administrator",)),
        call_event,
    ),
    Row(
        "api-v1:telephony_cti",
        "post",
        lambda w: f"/api/v1/telephony/cti/{exchange_key()}",
        statuses(200),
        lambda: {"event": "newCall", "callId": str(uuid.uuid4()), "direction": "in"},
    ),
    Row(
        "api-v1:telephony_menu",
        "get",
        lambda w: f"/api/v1/telephony/numbers/{phone_number()}/menu",
        api(200, only=("administrator",)),
    ),
    # The directory's absences: the person, operators, the department's contact and those
    # who oversee; the calendar feeds' state: department contacts and those who oversee.
    Row(
        "directory:absence_new",
        "get",
        lambda w: f"/directory/employees/{absence_employee()}/absences/new/",
        page(200, only=EDITS_ABSENCES),
    ),
    Row(
        "directory:absence_new",
        "post",
        lambda w: f"/directory/employees/{absence_employee()}/absences/new/",
        page(302, only=EDITS_ABSENCES),
        lambda: ABSENCE,
        "post",
    ),
    Row(
        "directory:calendar_feeds",
        "get",
        lambda w: "/directory/calendars/",
        page(200, only=EDITORS),
    ),
    # The directory's availability of a direct number: the exchange and any staff token.
    Row(
        "api-v1:number_availability",
        "get",
        lambda w: f"/api/v1/directory/numbers/{direct_number()}/availability",
        api(200),
    ),
    Row(
        "api-v1:routing_offer",
        "post",
        lambda w: "/api/v1/routing/offers",
        api(200, only=("administrator",)),
        lambda: {"call_id": str(uuid.uuid4()), "answer_group": answer_group()},
    ),
    Row(
        "api-v1:routing_contact_add",
        "post",
        lambda w: "/api/v1/routing/contacts",
        api(201, only=("administrator",)),
        lambda: {"channel": "chat", "reference": str(uuid.uuid4()), "answer_group": answer_group()},
    ),
    Row(
        "api-v1:routing_contact_done",
        "post",
        lambda w: f"/api/v1/routing/contacts/chat/{queued_chat()}/done",
        api(200, only=("administrator",)),
        lambda: {},
    ),
    Row(
        "api-v1:agent_state", "get", lambda w: "/api/v1/agents/me/state", api(200, only=CALL_TAKERS)
    ),
    Row(
        "api-v1:agent_state_set",
        "post",
        lambda w: "/api/v1/agents/me/state",
        api(200, only=CALL_TAKERS),
        lambda: {"state": "ready"},
    ),
    Row(
        "api-v1:agent_state_from_exchange",
        "post",
        lambda w: f"/api/v1/agents/{call_taker()}/state",
        api(200, only=("administrator",)),
        lambda: {"state": "ready"},
    ),
    Row("api-v1:stats_live", "get", lambda w: "/api/v1/stats/live", api(200, only=PLANNERS)),
    Row(
        "api-v1:stats_service_level",
        "get",
        lambda w: (
            "/api/v1/stats/service-level?start=2026-03-02T00:00:00%2B01:00"
            "&end=2026-03-03T00:00:00%2B01:00"
        ),
        api(200, only=PLANNERS),
    ),
    Row(
        "api-v1:stats_switchboard",
        "get",
        lambda w: (
            "/api/v1/stats/switchboard?start=2026-03-02T00:00:00%2B01:00"
            "&end=2026-03-03T00:00:00%2B01:00"
        ),
        api(200, only=(*PLANNERS, "department_contact")),
    ),
    Row(
        "api-v1:stats_switchboard",
        "get",
        lambda w: (
            "/api/v1/stats/switchboard?start=2026-03-02T00:00:00%2B01:00"
            "&end=2026-03-03T00:00:00%2B01:00&department=social"
        ),
        api(200, only=PLANNERS),
        label="other-department",
    ),
    Row(
        "switchboard_statistics:page",
        "get",
        lambda w: "/switchboard/statistics/",
        page(200, only=(*PLANNERS, "department_contact")),
    ),
    Row(
        "switchboard_statistics:page",
        "get",
        lambda w: "/switchboard/statistics/?department=social",
        page(200, only=PLANNERS, refused=403) | {"department_contact": 400},
        label="other-department",
    ),
    Row("telephony:wallboard", "get", lambda w: "/telephony/wallboard/", page(200, only=PLANNERS)),
    Row("telephony:crisis", "get", lambda w: "/telephony/crisis/", page(200, only=PLANNERS)),
    Row("telephony:state", "get", lambda w: "/telephony/state/", page(200, only=CALL_TAKERS)),
    Row(
        "telephony:work_done",
        "post",
        lambda w: f"/telephony/work/{queued_chat(pk=True)}/done/",
        page(302, only=PLANNERS, refused=404),
        lambda: {},
    ),
    Row(
        "telephony:state_set",
        "post",
        lambda w: "/telephony/state/set/",
        page(302, only=CALL_TAKERS),
        lambda: {"state": "ready"},
    ),
    Row("api-v1:department_list", "get", lambda w: "/api/v1/departments", api(200)),
    # The switchboard: the console for operators; a person's own messages; a message's
    # private link for whoever holds it; the exchange's commands.
    Row("switchboard:console", "get", lambda w: "/switchboard/", page(200, only=OPERATORS)),
    Row(
        "switchboard:search",
        "get",
        lambda w: "/switchboard/search/?q=anna",
        page(200, only=OPERATORS),
    ),
    Row(
        "switchboard:transfer",
        "post",
        lambda w: "/switchboard/transfer/",
        page(302, only=OPERATORS),
        lambda: {"employee": employee()},
    ),
    Row(
        "switchboard:message_new",
        "get",
        lambda w: f"/switchboard/messages/new/?message={employee()}",
        page(200, only=OPERATORS),
    ),
    Row(
        "switchboard:number_given",
        "post",
        lambda w: "/switchboard/number-given/",
        page(302, only=OPERATORS),
        lambda: {"employee": employee()},
    ),
    Row("switchboard:my_messages", "get", lambda w: "/switchboard/messages/", page(200)),
    Row(
        "switchboard:message_answer",
        "post",
        lambda w: f"/switchboard/messages/{switchboard_message()}/answer/",
        page(302, only=OPERATORS, refused=404),
        lambda: {"action": "done"},
    ),
    Row(
        "switchboard:transfer_not_mine",
        "post",
        lambda w: f"/switchboard/transfers/{switchboard_transfer()}/not-mine/",
        page(403, only=()),
        lambda: {},
    ),
    Row(
        "switchboard:message_open",
        "get",
        lambda w: f"/switchboard/m/{switchboard_message(key=True)}/",
        statuses(200),
    ),
    Row(
        "api-v1:lines",
        "post",
        lambda w: "/api/v1/telephony/lines",
        api(200, only=("administrator",)),
        lambda: {
            "lines": [{"number": "+46406281001", "state": "dnd", "at": "2026-03-02T09:00:00Z"}]
        },
    ),
    Row(
        "api-v1:commands",
        "get",
        lambda w: "/api/v1/telephony/commands",
        api(200, only=("administrator",)),
    ),
    # SCIM, for identity systems: a provisioning client's token or an administrator's.
    *[
        Row(f"scim:{name}", "get", scim_url(url), SCIM_ONLY)
        for name, url in [
            ("service_provider_config", "ServiceProviderConfig"),
            ("schemas", "Schemas"),
            ("schema", "Schemas/urn:ietf:params:scim:schemas:core:2.0:User"),
            ("resource_types", "ResourceTypes"),
            ("resource_type", "ResourceTypes/User"),
            ("users", "Users"),
            ("groups", "Groups"),
        ]
    ],
    Row("scim:user", "get", lambda w: f"/scim/v2/Users/{scim_user()}", SCIM_ONLY),
    Row("scim:group", "get", lambda w: f"/scim/v2/Groups/{scim_group()}", SCIM_ONLY),
    Row(
        "scim:not_found",
        "get",
        lambda w: "/scim/v2/Nothing",
        statuses(401, administrator=404),
    ),
    Row(
        "scim:users",
        "post",
        lambda w: "/scim/v2/Users",
        statuses(401, administrator=201),
        lambda: {"userName": f"{uuid.uuid4()}@sjostad.se"},
        label="create",
    ),
    *[
        Row(
            f"scim:{name}",
            "post",
            scim_url(url),
            SCIM_ONLY,
            lambda: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]},
        )
        for name, url in [
            ("search", ".search"),
            ("users_search", "Users/.search"),
            ("groups_search", "Groups/.search"),
        ]
    ],
    # Open311 GeoReport v2 (kontakt/open311/urls.py).
    # Reading is public; filing a request and reading its updates take a client's API key,
    # which no session stands in for.
    Row("open311:discovery", "get", lambda w: "/open311/v2/discovery.json", statuses(200)),
    Row("open311:services", "get", lambda w: "/open311/v2/services.xml", statuses(200)),
    Row(
        "open311:service",
        "get",
        lambda w: f"/open311/v2/services/{open311_published(w)}.json",
        statuses(200),
    ),
    Row("open311:requests", "get", lambda w: "/open311/v2/requests.json", statuses(200)),
    Row(
        "open311:requests",
        "post",
        lambda w: "/open311/v2/requests.json",
        statuses(403),
        lambda: {"service_code": "parkering", "description": "Hej"},
        label="create",
    ),
    Row(
        "open311:request",
        "get",
        lambda w: f"/open311/v2/requests/{open311_case(w)}.xml",
        statuses(200),
    ),
    Row("open311:token", "get", lambda w: "/open311/v2/tokens/abc.json", statuses(404)),
    Row(
        "open311:updates",
        "get",
        lambda w: "/open311/v2/servicerequestupdates.xml",
        statuses(403),
    ),
    # E-mail (kontakt/mail/urls.py).
    # The webhook is off without KONTAKT["MAIL"]["WEBHOOK_TOKEN"] (kontakt/mail/tests).
    Row("mail:inbound", "post", lambda w: "/mail/inbound", statuses(404)),
    # A new mail nobody holds yet: only a supervisor opens it.
    Row(
        "desk:mail",
        "get",
        lambda w: f"/desk/mail/{mail_queued()}/",
        page(404, only=FRONT_LINE, refused=403) | {"supervisor": 200, "administrator": 200},
    ),
    # -- end of e-mail rows
    # SMS webhooks (kontakt/sms/urls.py).
    # Signed by the gateway, never by a session: off (404) without a secret, as in tests;
    # the signature's 401 and 403 are tested in kontakt/sms/tests/test_webhooks.py.
    Row("sms:inbound", "post", lambda w: "/sms/inbound/", statuses(404), lambda: {"id": "1"}),
    Row("sms:receipts", "post", lambda w: "/sms/receipts/", statuses(404), lambda: {"id": "1"}),
    # The agent's page of a text message that started a new contact.
    Row("desk:sms", "get", lambda w: f"/desk/sms/{inbound_sms()}/", page(200, only=FRONT_LINE)),
    Row(
        "desk:sms",
        "post",
        lambda w: f"/desk/sms/{inbound_sms()}/",
        page(302, only=FRONT_LINE),
        lambda: {"outcome": "closed", "priority": "2", "answer": ""},
        label="log",
    ),
    # -- end of SMS rows
    # Web chat (kontakt/chat/urls.py).
    # The widget's endpoints need no login; a chat is only the browser's that started it
    # (its cookie), so any other asker gets the same 404. Starting refuses (409, the web
    # form instead) here: nobody takes chats. The agent's side is the front line's, and a
    # chat routed to nobody is nobody's (404).
    Row("chat:status", "get", lambda w: "/chat/status/", statuses(200)),
    Row(
        "chat:start",
        "post",
        lambda w: "/chat/start/",
        statuses(409),
        lambda: {"language": "nb", "body": "Hei"},
    ),
    Row("chat:detail", "get", lambda w: f"/chat/{chat_of_nobody().public_id}/", statuses(404)),
    Row(
        "chat:stream",
        "get",
        lambda w: f"/chat/{chat_of_nobody().public_id}/stream/",
        statuses(404),
    ),
    Row(
        "chat:send",
        "post",
        lambda w: f"/chat/{chat_of_nobody().public_id}/messages/",
        statuses(404),
        lambda: {"body": "Hei"},
    ),
    Row(
        "chat:leave", "post", lambda w: f"/chat/{chat_of_nobody().public_id}/leave/", statuses(404)
    ),
    Row(
        "chat:agent_chat",
        "get",
        lambda w: f"/chat/agent/{chat_of_nobody().pk}/",
        page(404, only=FRONT_LINE),
    ),
    Row(
        "chat:agent_answer",
        "post",
        lambda w: f"/chat/agent/{chat_of_nobody().pk}/answer/",
        page(404, only=FRONT_LINE),
    ),
    Row(
        "chat:agent_send",
        "post",
        lambda w: f"/chat/agent/{chat_of_nobody().pk}/messages/",
        page(404, only=FRONT_LINE),
        lambda: {"body": "Hei"},
    ),
    Row(
        "chat:agent_end",
        "post",
        lambda w: f"/chat/agent/{chat_of_nobody().pk}/end/",
        page(404, only=FRONT_LINE),
        lambda: {"outcome": "closed"},
    ),
    # -- end of chat rows
    # Letters (kontakt/letters/urls.py).
    # Front line receives and registers letters and reads them all; a department reads
    # those registered onto its cases.
    Row("letters:list", "get", lambda w: "/letters/", page(200)),
    Row("letters:new", "get", lambda w: "/letters/new/", page(200, only=FRONT_LINE)),
    Row(
        "letters:new",
        "post",
        lambda w: "/letters/new/",
        page(302, only=FRONT_LINE),
        lambda: {"scans": letter_scan()},
        label="upload",
    ),
    Row(
        "letters:letter",
        "get",
        lambda w: letter_url(),
        page(200, only=FRONT_LINE, other_department=404),
        label="unregistered",
    ),
    Row("letters:letter", "get", lambda w: letter_url(w.department_a_case()), page(200), label="A"),
    Row(
        "letters:letter",
        "get",
        lambda w: letter_url(w.department_b_case()),
        page(200, other_department=404),
        label="B",
    ),
    Row(
        "letters:letter",
        "post",
        lambda w: letter_url(),
        page(200, only=FRONT_LINE, other_department=404),
        lambda: {"q": "Karin"},
        label="search",
    ),
    Row(
        "letters:register",
        "post",
        lambda w: letter_url() + "register/",
        page(302, only=FRONT_LINE),
        lambda: {"new_name": "Per Ek", "outcome": "forwarded", "case_type": "parkering"},
    ),
    Row(
        "letters:read_again",
        "post",
        lambda w: letter_url(failed=True) + "read/",
        page(302, only=FRONT_LINE),
    ),
    Row(
        "letters:file",
        "get",
        lambda w: letter_url() + "file/",
        page(200, only=FRONT_LINE, other_department=404),
    ),
    Row(
        "letters:file",
        "get",
        lambda w: letter_url(w.department_a_case()) + "file/",
        page(200),
        label="A",
    ),
    Row(
        "letters:preview",
        "get",
        lambda w: letter_url(w.department_b_case()) + "preview/",
        page(200, other_department=404),
        label="B",
    ),
    # -- end of letter rows
]


def mail_queued() -> int:
    """A new e-mail, queued in a group nobody is ready for: its id."""
    from kontakt.directory.models import AnswerGroup
    from kontakt.mail.models import Mailbox, MailboxKind
    from kontakt.mail.services import mail_receive

    group = AnswerGroup.objects.get_or_create(name="E-post", code="e-post")[0]
    mailbox = Mailbox.objects.get_or_create(
        name="Kontaktcenter", defaults={"kind": MailboxKind.DROP, "answer_group": group}
    )[0]
    raw = b"From: elsa@example.org\r\nSubject: Hej\r\n\r\nEn fraga.\r\n"
    return mail_receive(raw, mailbox=mailbox).pk


def inbound_sms() -> int:
    """A text message from an unknown number, waiting for an agent: its id."""
    from django.utils import timezone

    from kontakt.sms.models import InboundSms

    now = timezone.now()
    return InboundSms.objects.create(
        gateway_id=uuid.uuid4().hex,
        sender="+46709876543",
        text="Hej",
        received_at=now,
        stored_at=now,
        state="queued",
    ).pk


def open311_published(world: World) -> str:
    """Department A's case type, published to residents: its code."""
    case = world.department_a_case()
    type(case.case_type).objects.filter(pk=case.case_type_id).update(published=True)
    return case.case_type.code


def open311_case(world: World) -> str:
    """A case of a published type: its reference, Open311's service_request_id."""
    open311_published(world)
    return world.department_a_case().reference


def scim_user() -> str:
    from kontakt.directory.models import Employee

    return str(Employee.objects.get_or_create(display_name="Anna Berg")[0].scim_id)


def scim_group() -> int:
    from kontakt.directory.models import Department, Unit

    department = Department.objects.get_or_create(name="Scim", code="scim")[0]
    return Unit.objects.get_or_create(department=department, name="Parkering")[0].pk


def url_patterns() -> list[tuple[str, str]]:
    """(qualified name, route) of every URL pattern of the project."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join(filter(None, [namespace, pattern.name or "<unnamed>"]))
                found.append((name, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_url_is_in_the_table():
    in_table = {row.name for row in ROWS}
    outside_admin = {name for name, _route in url_patterns() if not name.startswith("admin:")}
    assert outside_admin - in_table == set(), "add these URLs to the access table"
    assert in_table - outside_admin == set(), "these rows name URLs that no longer exist"


@pytest.fixture
def world(users, second_line, parking_type, care_type) -> World:
    resident_a = ResidentFactory.create(name="Karin Lindqvist")
    resident_b = ResidentFactory.create(name="Karin Berg")
    CaseFactory.create(case_type=parking_type, resident=resident_a, by=second_line)
    CaseFactory.create(case_type=care_type, resident=resident_b, by=second_line)
    return World(
        department_a_case=lambda: CaseFactory.create(
            case_type=parking_type, resident=resident_a, by=second_line
        ),
        department_b_case=lambda: CaseFactory.create(
            case_type=care_type, resident=resident_b, by=second_line
        ),
        resident_a=resident_a,
        resident_b=resident_b,
    )


def client_as(role: str, users: dict[str, Any], *, api: bool) -> Client:
    if role == ANONYMOUS:
        return Client()
    user = users[role]
    if api:
        from kontakt.accounts.services import api_token_create

        _token, key = api_token_create(user=user, name="access")
        return Client(headers={"Authorization": f"Bearer {key}"})
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_who_may_open_what(row, world, users):
    # The document, its viewer and the bare prefix are no endpoints: asked with a session.
    on_api = row.name.startswith(("api-v1:", "scim:")) and row.name not in {
        "api-v1:openapi-json",
        "api-v1:openapi-view",
        "api-v1:api-root",
    }
    got = {}
    shared_url = row.url(world) if row.method == "get" else None  # reading changes nothing
    for role in EVERYONE:
        client = client_as(role, users, api=on_api)
        url = shared_url or row.url(world)
        data = row.data()
        if row.method == "get":
            response = client.get(url)
        elif on_api:
            response = client.post(url, data, content_type="application/json")
        else:
            response = client.post(url, data)
        got[role] = response.status_code
        if response.status_code == 302 and role == ANONYMOUS and row.name.startswith("desk:"):
            assert response["Location"].startswith("/login/?next=")
        if on_api and response.status_code in (401, 403, 404):
            if row.name.startswith("scim:"):
                assert response["Content-Type"] == "application/scim+json"
            else:
                assert response.json()["errors"] == {}
    assert got == row.expected


def admin_url(route: str) -> str:
    """A concrete URL for an admin route: a real content type, ids that may not exist."""
    content_type = ContentType.objects.get_for_model(Case).pk
    url = route.replace("<path:content_type_id>", str(content_type))
    url = re.sub(r"<(?:path:)?\w*id>", "1", url)
    url = url.replace("^(?P<app_label>", "").replace("(?P<url>.*)$", "no-such-page/")
    url = re.sub(r"\|[^)]*\)/\$$", "/", url)  # keep the first app label of the alternation
    return "/" + url


def test_admin_urls_are_made_concrete():
    routes = dict(url_patterns())
    assert admin_url(routes["admin:app_list"]) == "/admin/auth/"
    assert admin_url(routes["admin:cases_case_change"]) == "/admin/cases/case/1/change/"


def test_only_staff_users_get_past_the_admin_login(users, parking_type, second_line):
    CaseFactory(case_type=parking_type, by=second_line)  # an object with id 1 for some pages
    patterns = [
        (name, admin_url(route)) for name, route in url_patterns() if name.startswith("admin:")
    ]
    assert len(patterns) > 50
    clients = {role: client_as(role, users, api=False) for role in EVERYONE}
    wrong = []
    for name, url in patterns:
        for role, client in clients.items():
            response = client.get(url)
            status = response.status_code
            to_login = status == 302 and response["Location"].startswith("/admin/login/")
            if name == "admin:login":
                ok = status == (302 if role == "administrator" else 200)
            elif role == "administrator":
                ok = status < 500 and not to_login
                if name == "admin:logout":
                    ok = status == 405  # signing out takes a POST
            elif name == "admin:logout":
                ok = status == 302 and response["Location"] == "/admin/"  # and from there to login
            else:
                ok = to_login
            if not ok:
                wrong.append((name, url, role, status))
    assert wrong == [], "\n".join(map(str, wrong))


# Letters' helpers -------------------------------------------------------------------------


def letter_scan() -> SimpleUploadedFile:
    """A PDF with a text layer, different each time (so each is a new letter)."""
    from kontakt.letters.samples import text_pdf

    return SimpleUploadedFile("brev.pdf", text_pdf([f"Brev {uuid.uuid4()}"]))


def letter_url(case: Case | None = None, *, failed: bool = False) -> str:
    """A fresh letter, read (or failed), registered onto `case` if one is given: its page."""
    from kontakt.letters.models import Letter, LetterState
    from kontakt.letters.scans import letter_read
    from kontakt.letters.services import letter_receive

    letter = letter_receive(upload=letter_scan(), source="folder", by=None).letter
    if failed:
        Letter.objects.filter(pk=letter.pk).update(state=LetterState.FAILED, error="x")
    else:
        letter_read(letter_id=letter.pk)
    if case is not None:
        Letter.objects.filter(pk=letter.pk).update(case=case, state=LetterState.REGISTERED)
    return f"/letters/{letter.pk}/"


def chat_of_nobody() -> Any:
    """A residents' chat waiting in no queue: no browser's cookie names it, no agent has it."""
    import secrets

    from django.utils import timezone

    from kontakt.chat.models import Chat

    return Chat.objects.create(
        public_id=secrets.token_urlsafe(18), language="nb", started_at=timezone.now()
    )
