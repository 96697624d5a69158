"""Notices: the receipt, messages, closing with the satisfaction question, the departments'
notices and digest, due-soon warnings; retried through a failing gateway and shown on the
case page."""

import re
import socket
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases import notices
from kontakt.cases.links import case_link_open
from kontakt.cases.models import Notice, SatisfactionSurvey
from kontakt.cases.services import (
    CaseDraft,
    ContactDraft,
    case_add_message,
    case_change_status,
    case_create,
    case_forward,
)
from kontakt.cases.surveys import survey_open
from kontakt.cases.tasks import department_digests, notices_retry_due, sla_warnings
from kontakt.cases.tests.factories import CaseFactory
from kontakt.residents import sms
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.tests.clock import MONDAY_0900, at
from kontakt.tests.intake import contact_log

pytestmark = pytest.mark.django_db

SITE = "https://kontakt.kommun.example"
MY_LINK = re.compile(re.escape(SITE) + r"/my/c/([A-Za-z0-9_-]{43})/")
SURVEY_LINK = re.compile(re.escape(SITE) + r"/my/survey/([A-Za-z0-9_-]{43})/")


@pytest.fixture(autouse=True)
def _notice_settings(settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SITE_URL": SITE,
        "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "memory"},
        "NOTICES": {
            "RETRY_MINUTES": [1, 5],
            "SLA_WARNING_HOURS": 4.0,
            "DIGEST_HOUR": 7,
            "SURVEY_AFTER_CONTACT": False,
        },
    }
    sms.outbox.clear()


def _settings_with(settings, **changes):
    settings.KONTAKT = {**settings.KONTAKT, **changes}


@pytest.fixture
def lamp_type(parking_type):
    parking_type.next_steps = "Vi lagar lampan inom två veckor."
    parking_type.save()
    return parking_type


def open_case(case_type, resident, *, by, capture, channel="email", now=MONDAY_0900, **more):
    with capture(execute=True):
        return case_create(
            draft=CaseDraft(
                case_type=case_type,
                subject="Trasig gatlampa",
                resident=resident,
                feedback_channel=channel,
                **more,
            ),
            by=by,
            now=now,
        )


# The receipt ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "due"),
    [("sv", "4 mars 2026 09:00"), ("nb", "4. mars 2026 09:00"), ("en", "4 March 2026 09:00")],
)
def test_the_receipt_tells_reference_next_steps_due_date_and_link_in_the_residents_language(
    agent, lamp_type, resident, django_capture_on_commit_callbacks, language, due
):
    resident.preferred_language = language
    resident.save()
    # Monday 09:00 + 16 business hours (08–16) is Wednesday 09:00.
    case = open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)

    (sent,) = mail.outbox
    assert sent.to == ["karin@example.se"]
    assert case.reference in sent.subject
    assert case.reference in sent.body and "Trasig gatlampa" in sent.body
    assert "Vi lagar lampan inom två veckor." in sent.body
    assert due in sent.body
    (token,) = MY_LINK.findall(sent.body)
    assert case_link_open(token=token) == case
    notice = case.notices.get()
    assert (notice.kind, notice.audience, notice.state, notice.attempts) == (
        "receipt",
        "resident",
        "sent",
        1,
    )


def test_the_receipt_texts_read_differently_in_each_language(
    agent, lamp_type, django_capture_on_commit_callbacks
):
    """The same case in the three languages: the words around the facts are translated
    (once the catalogues are filled); the facts are the same."""
    bodies = []
    for language in ("sv", "nb", "en"):
        resident = ResidentFactory(preferred_language=language, emails=[f"{language}@example.se"])
        open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)
        bodies.append(mail.outbox[-1].body)
    for body in bodies:
        parts = body.strip().split("\n\n")
        assert len(parts) == 4  # registered, what happens next, answer by, link
        assert MY_LINK.search(parts[3])


@pytest.mark.parametrize(
    ("channel", "emails", "phones", "expected"),
    [
        ("email", ["karin@example.se"], ["+46701234567"], ("email", "karin@example.se")),
        ("sms", ["karin@example.se"], ["+46701234567"], ("sms", "+46701234567")),
        ("my_pages", ["karin@example.se"], ["+46701234567"], ("email", "karin@example.se")),
        ("my_pages", [], ["+46701234567"], ("sms", "+46701234567")),
        ("phone", ["karin@example.se"], ["+46701234567"], None),
        ("letter", ["karin@example.se"], ["+46701234567"], None),
    ],
)
def test_the_receipt_goes_by_the_channel_the_resident_chose(
    agent, lamp_type, django_capture_on_commit_callbacks, channel, emails, phones, expected
):
    resident = ResidentFactory(emails=emails, phones=phones)
    case = open_case(
        lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks, channel=channel
    )
    assert list(case.notices.values_list("channel", "to")) == ([expected] if expected else [])
    if expected and expected[0] == "sms":
        (text,) = sms.outbox
        assert text.to == "+46701234567" and case.reference in text.text
        assert MY_LINK.search(text.text) and mail.outbox == []
    elif expected:
        assert [m.to for m in mail.outbox] == [[expected[1]]] and sms.outbox == []
    else:
        assert mail.outbox == [] and sms.outbox == []


def test_an_anonymous_case_gets_no_receipt(agent, lamp_type, django_capture_on_commit_callbacks):
    case = open_case(lamp_type, None, by=agent, capture=django_capture_on_commit_callbacks)
    assert not case.notices.exists() and mail.outbox == []


def test_a_resident_who_chose_email_without_an_address_is_shown_as_not_reached(
    agent, lamp_type, django_capture_on_commit_callbacks
):
    resident = ResidentFactory(phones=["+46701234567"])
    case = open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)
    notice = case.notices.get()
    assert (notice.state, notice.to, notice.last_error) == (
        "failed",
        "",
        "No address to send it to.",
    )


def test_a_web_form_case_through_the_intake_gets_its_receipt(
    lamp_type, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_log(
            draft=ContactDraft(
                channel="web_form",
                outcome="forwarded",
                case_type=lamp_type,
                summary="Lampan lyser inte",
                resident=resident,
                feedback_channel="my_pages",
            ),
            by=None,
        )
    assert contact.case is not None
    assert list(contact.case.notices.values_list("kind", "state")) == [("receipt", "sent")]


def test_the_receipt_is_made_once(agent, lamp_type, resident, django_capture_on_commit_callbacks):
    case = open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)
    again = notices.case_receipt_send(case_id=case.pk)
    assert again == case.notices.get()
    assert case.links.count() == 1 and len(mail.outbox) == 1


def test_notice_create_is_idempotent_by_case_key_and_recipient(
    agent, lamp_type, resident, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=lamp_type, by=agent)
    fields = {
        "audience": "resident",
        "kind": "message",
        "channel": "email",
        "subject": "S",
        "body": "B",
        "case": case,
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = notices.notice_create(to="a@example.se", key="x", **fields)
        assert notices.notice_create(to="a@example.se", key="x", **fields) == first
        other = notices.notice_create(to="b@example.se", key="x", **fields)
        unkeyed = [notices.notice_create(to="a@example.se", **fields) for _ in range(2)]
    assert len({first.pk, other.pk, *(n.pk for n in unkeyed)}) == 4
    assert len(mail.outbox) == 4


# Messages and closing ----------------------------------------------------------------------


def test_a_message_by_email_is_the_notice(
    second_line, lamp_type, resident, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=lamp_type, resident=resident, by=second_line)
    with django_capture_on_commit_callbacks(execute=True):
        event = case_add_message(
            case=case, body="Vi kommer i morgon.", direction="out", channel="email", by=second_line
        )
    notice = case.notices.get(kind="message")
    assert (notice.key, notice.state, notice.body) == (
        f"message:{event.pk}",
        "sent",
        "Vi kommer i morgon.",
    )
    event.refresh_from_db()
    assert event.delivery == "sent"


def test_a_message_on_my_pages_brings_a_notice_with_the_link(
    second_line, lamp_type, resident, django_capture_on_commit_callbacks
):
    case = open_case(
        lamp_type,
        resident,
        by=second_line,
        capture=django_capture_on_commit_callbacks,
        channel="my_pages",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = case_add_message(
            case=case,
            body="Vi har bytt lampan.",
            direction="out",
            channel="web_form",
            by=second_line,
        )
    (sent,) = mail.outbox
    assert case.reference in sent.subject
    assert "Vi har bytt lampan." not in sent.body  # the message itself stays on My pages
    (token,) = MY_LINK.findall(sent.body)
    assert case_link_open(token=token) == case
    event.refresh_from_db()
    assert event.delivery == "sent"


def test_closing_sends_the_resolution_and_the_satisfaction_question(
    second_line, lamp_type, resident, django_capture_on_commit_callbacks
):
    case = open_case(
        lamp_type, resident, by=second_line, capture=django_capture_on_commit_callbacks
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_change_status(
            case=case, to_status="closed", resolution="Lampan är lagad.", by=second_line
        )

    (sent,) = mail.outbox
    assert case.reference in sent.subject and "Lampan är lagad." in sent.body
    (token,) = SURVEY_LINK.findall(sent.body)
    survey = survey_open(token=token)
    assert survey is not None and survey.case == case
    assert (survey.case_type, survey.department) == (lamp_type, lamp_type.department)
    assert case.notices.filter(kind="closed").count() == 1

    # Reopened and closed again: a new closing, a new notice.
    with django_capture_on_commit_callbacks(execute=True):
        case_change_status(case=case, to_status="open", by=second_line)
        case_change_status(case=case, to_status="closed", resolution="Igen.", by=second_line)
    assert case.notices.filter(kind="closed").count() == 2
    assert SatisfactionSurvey.objects.filter(case=case).count() == 2


def test_closing_a_case_of_a_resident_who_chose_phone_sends_nothing(
    second_line, lamp_type, resident, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=lamp_type, resident=resident, by=second_line)
    with django_capture_on_commit_callbacks(execute=True):
        case_change_status(case=case, to_status="closed", resolution="Klart", by=second_line)
    assert mail.outbox == [] and not case.notices.exists()


@pytest.mark.parametrize("asked", [True, False])
def test_a_contact_closed_at_first_contact_may_bring_the_question(
    settings, agent, lamp_type, resident, django_capture_on_commit_callbacks, asked
):
    _settings_with(settings, NOTICES={**settings.KONTAKT["NOTICES"], "SURVEY_AFTER_CONTACT": asked})
    with django_capture_on_commit_callbacks(execute=True):
        contact = contact_log(
            draft=ContactDraft(
                channel="phone", outcome="closed", case_type=lamp_type, resident=resident
            ),
            by=agent,
        )
    surveys = SatisfactionSurvey.objects.filter(contact=contact)
    if not asked:
        assert not surveys.exists() and mail.outbox == []
        return
    (sent,) = mail.outbox
    (token,) = SURVEY_LINK.findall(sent.body)
    survey = survey_open(token=token)
    assert survey == surveys.get()
    assert (survey.case_type, survey.department) == (lamp_type, lamp_type.department)
    assert Notice.objects.get(kind="survey").state == "sent"


# Departments ------------------------------------------------------------------------------


@pytest.fixture
def contact_person(department_a):
    return UserFactory(
        username="kontaktperson",
        role=Role.DEPARTMENT_CONTACT,
        department=department_a,
        email="kontakt@gata.example",
    )


def _department(department, *, notice, email="gata@kommun.example"):
    department.notice, department.email = notice, email
    department.save()
    return department


def test_a_department_that_wants_each_case_gets_one_email_per_recipient(
    agent, lamp_type, department_a, contact_person, django_capture_on_commit_callbacks
):
    _department(department_a, notice="case")
    # Forwarded at creation, as the intake does:
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            draft=CaseDraft(case_type=lamp_type, subject="Trasig gatlampa"),
            by=agent,
            now=MONDAY_0900,
            forward=True,
        )
    forwarded = case.notices.filter(kind="forwarded")
    assert sorted(forwarded.values_list("to", flat=True)) == [
        "gata@kommun.example",
        "kontakt@gata.example",
    ]
    assert {n.state for n in forwarded} == {"sent"}
    link = f"{SITE}/cases/{case.reference}/"
    assert all(link in m.body and case.reference in m.subject for m in mail.outbox)


@pytest.mark.parametrize("choice", ["digest", "none"])
def test_a_department_that_wants_a_digest_or_nothing_gets_no_email_per_case(
    agent, lamp_type, department_a, contact_person, django_capture_on_commit_callbacks, choice
):
    _department(department_a, notice=choice)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_create(
            draft=CaseDraft(case_type=lamp_type, subject="Trasig gatlampa"),
            by=agent,
            forward=True,
        )
    assert not case.notices.exists() and mail.outbox == []


def test_forwarding_later_tells_the_new_department(
    agent, lamp_type, department_b, django_capture_on_commit_callbacks
):
    _department(department_b, notice="case", email="social@kommun.example")
    case = CaseFactory(case_type=lamp_type, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        case_forward(case=case, department=department_b, by=agent, note="Gäller hemtjänst")
    notice = case.notices.get(kind="forwarded")
    assert (notice.to, notice.department) == ("social@kommun.example", department_b)
    assert "Gäller hemtjänst" in notice.body


def test_the_digest_comes_once_a_day_after_the_digest_hour(
    agent, lamp_type, department_a, contact_person, django_capture_on_commit_callbacks
):
    _department(department_a, notice="digest")
    cases = [
        case_create(
            draft=CaseDraft(case_type=lamp_type, subject=f"Lampa {n}"),
            by=agent,
            now=at(2, 10 + n),
            forward=True,
        )
        for n in range(2)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.department_digests_send(now=at(3, 6, 59)) == []  # before 07:00
        made = notices.department_digests_send(now=at(3, 7, 5))
        assert notices.department_digests_send(now=at(3, 7, 20)) == []  # once a day
    assert sorted(n.to for n in made) == ["gata@kommun.example", "kontakt@gata.example"]
    assert {n.key for n in made} == {"digest:2026-03-03"}
    for sent in mail.outbox:
        assert all(c.reference in sent.body for c in cases)
        assert f"{SITE}/cases/{cases[0].reference}/" in sent.body
    assert len(mail.outbox) == 2
    # The next day, nothing was forwarded: no digest.
    assert notices.department_digests_send(now=at(4, 8)) == []
    assert Notice.objects.filter(kind="digest").count() == 2


def test_the_periodic_digest_task_runs(department_a):
    _department(department_a, notice="digest")
    assert department_digests.call() == 0


# Due soon ---------------------------------------------------------------------------------


def test_the_handler_and_the_department_contact_are_warned_once_before_the_due_time(
    second_line,
    handler,
    lamp_type,
    department_a,
    contact_person,
    django_capture_on_commit_callbacks,
):
    _department(department_a, notice="none")
    handler.email = "handlaggare@gata.example"
    handler.save()
    due_soon = CaseFactory(case_type=lamp_type, by=second_line, now=MONDAY_0900)
    due_soon.handler = handler
    due_soon.save()
    later = CaseFactory(case_type=lamp_type, by=second_line, now=at(3, 9))
    closed = CaseFactory(case_type=lamp_type, by=second_line, now=MONDAY_0900)
    case_change_status(case=closed, to_status="closed", resolution="Klart", by=second_line)
    waiting = CaseFactory(case_type=lamp_type, by=second_line, now=MONDAY_0900)
    case_change_status(case=waiting, to_status="waiting", by=second_line)
    # Due Wednesday 09:00; warned from 05:00 on.
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.sla_warnings_send(now=at(4, 4, 59)) == []
        made = notices.sla_warnings_send(now=at(4, 6))
        assert notices.sla_warnings_send(now=at(4, 7)) == []
    assert sorted((n.audience, n.to) for n in made) == [
        ("department", "kontakt@gata.example"),
        ("handler", "handlaggare@gata.example"),
    ]
    assert {n.case_id for n in made} == {due_soon.pk}
    assert {n.key for n in made} == {f"sla_warning:{due_soon.due_at.astimezone(UTC).isoformat()}"}
    assert all(f"{SITE}/cases/{due_soon.reference}/" in m.body for m in mail.outbox)
    assert not later.notices.filter(kind="sla_warning").exists()
    assert not closed.notices.filter(kind="sla_warning").exists()
    assert not waiting.notices.filter(kind="sla_warning").exists()


def test_without_a_handler_the_department_contacts_are_warned(
    second_line, lamp_type, department_a, contact_person
):
    _department(department_a, notice="none")
    case = CaseFactory(case_type=lamp_type, by=second_line, now=MONDAY_0900)
    made = notices.sla_warnings_send(now=at(4, 6))
    assert [(n.audience, n.to, n.case_id) for n in made] == [
        ("department", "kontakt@gata.example", case.pk)
    ]


def test_the_periodic_warning_task_runs(second_line, handler, lamp_type):
    # Opened now, it is due days from now: no warning yet.
    case = CaseFactory(case_type=lamp_type, by=second_line)
    assert case.due_at is not None and case.due_at > timezone.now() + timedelta(hours=12)
    assert sla_warnings.call() == 0


# Failing gateways -------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once it is closed


def test_a_failing_sms_gateway_is_retried_then_shown_as_not_delivered_on_the_case(
    settings, agent, handler, lamp_type, django_capture_on_commit_callbacks, client_for
):
    url = f"http://127.0.0.1:{_closed_port()}/"
    _settings_with(settings, SMS={**settings.KONTAKT["SMS"], "BACKEND": "http", "URL": url})
    resident = ResidentFactory(phones=["+46701234567"])
    case = open_case(
        lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks, channel="sms"
    )
    notice = case.notices.get()
    assert (notice.state, notice.attempts) == ("retrying", 1)
    assert "could not be reached" in notice.last_error
    first_try = notice.next_attempt_at - timedelta(minutes=1)

    # Not due yet: nothing happens; then the two retries of RETRY_MINUTES, then given up.
    assert notices.notice_deliver(notice_id=notice.pk, now=first_try) == ""
    assert notices.notices_due(now=first_try) == []
    second = first_try + timedelta(minutes=1)
    assert notices.notices_due(now=second) == [notice.pk]
    assert notices.notice_deliver(notice_id=notice.pk, now=second) == "retrying"
    notice.refresh_from_db()
    assert notice.next_attempt_at == second + timedelta(minutes=5)
    assert notices.notice_deliver(notice_id=notice.pk, now=notice.next_attempt_at) == "failed"
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.next_attempt_at) == ("failed", 3, None)
    assert notices.notices_due(now=second + timedelta(days=1)) == []

    page = client_for(handler).get(f"/cases/{case.reference}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="notices"' in html
    section = html[html.index('id="notices"') :]
    assert "not delivered" in section and "3 attempts" in section
    assert "could not be reached" in section


def test_a_failing_smtp_server_is_retried_by_the_periodic_task_then_given_up(
    settings, agent, lamp_type, resident, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 5},
        }
    }
    _settings_with(settings, NOTICES={**settings.KONTAKT["NOTICES"], "RETRY_MINUTES": [0, 0]})
    case = open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)
    notice = case.notices.get()
    assert (notice.state, notice.attempts) == ("retrying", 1)
    assert notice.last_error  # the refused connection, as the system words it
    assert notices_retry_due.call() == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("retrying", 2)
    assert notices_retry_due.call() == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("failed", 3)
    assert notices_retry_due.call() == 0


def test_a_notice_whose_send_was_lost_is_sent_by_the_periodic_round(agent, lamp_type, resident):
    case = CaseFactory(case_type=lamp_type, by=agent)
    # Stored, but its transaction's on-commit never ran (as if the queue was down).
    notice = notices.notice_create(
        audience="resident",
        kind="message",
        channel="email",
        to="karin@example.se",
        subject="S",
        body="B",
        case=case,
        now=timezone.now() - timedelta(minutes=30),
    )
    assert notices_retry_due.call() == 1
    notice.refresh_from_db()
    assert notice.state == "sent" and len(mail.outbox) == 1


def test_a_subject_typed_with_line_breaks_is_sent_on_one_line(
    agent, lamp_type, django_capture_on_commit_callbacks
):
    case = CaseFactory(case_type=lamp_type, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.notice_create(
            audience="resident",
            kind="message",
            channel="email",
            to="karin@example.se",
            subject="Lampan\r\nBcc: someone@example.com",
            body="B",
            case=case,
        )
    notice.refresh_from_db()
    assert notice.state == "sent"
    assert mail.outbox[0].subject == "Lampan Bcc: someone@example.com"


def test_notices_are_read_in_admin_and_never_written_there(
    agent, administrator, lamp_type, resident, django_capture_on_commit_callbacks, client_for
):
    case = open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)
    notice = case.notices.get()
    admin = client_for(administrator)
    assert admin.get("/admin/cases/notice/").status_code == 200
    page = admin.get(f"/admin/cases/notice/{notice.pk}/change/")
    assert page.status_code == 200 and b'name="body"' not in page.content
    assert admin.get("/admin/cases/notice/add/").status_code == 403
    assert admin.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert admin.get("/admin/cases/satisfactionsurvey/").status_code == 200


def test_history_written_after_the_fact_tells_nobody(
    agent, handler, lamp_type, resident, django_capture_on_commit_callbacks
):
    with notices.history_written():
        case = open_case(lamp_type, resident, by=agent, capture=django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            message = case_add_message(
                case=case, body="Lampan är lagad.", direction="out", channel="email", by=handler
            )
            case_change_status(case=case, to_status="closed", by=handler, resolution="Lagad.")
    assert not notices.writing_history()
    assert Notice.objects.count() == 0 and mail.outbox == []
    message.refresh_from_db()
    # It went out back then: the timeline says so.
    assert message.delivery == "sent"
