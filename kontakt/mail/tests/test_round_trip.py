"""E-mail through real servers: a resident writes to the IMAP mailbox, an agent answers
from the desk, the answer reaches the SMTP server, the resident's reply threads back."""

import pytest

from kontakt.cases.models import CaseEvent, CaseEventKind, Notice
from kontakt.mail.imap import mailbox_read
from kontakt.mail.models import InboundMail, MailKind, MailState
from kontakt.telephony.models import QueuedContact, WorkState

from .conftest import eml

pytestmark = pytest.mark.django_db


def test_resident_writes_agent_answers_resident_replies_on_the_same_case(
    dovecot,
    imap_mailbox,
    mail_agent,
    parking_type,
    smtp,
    client_for,
    django_capture_on_commit_callbacks,
):
    first_id = "<first-1@example.org>"
    dovecot.append(imap_mailbox.folder, eml(message_id=first_id))

    assert mailbox_read(imap_mailbox) == 1
    mail = InboundMail.objects.get()
    assert (mail.state, mail.kind, mail.language) == (MailState.QUEUED, MailKind.MESSAGE, "sv")
    assert mail.from_address == "elsa@example.org" and mail.uid == 1
    work = QueuedContact.objects.get(reference=f"mail:{mail.pk}")
    assert work.state == WorkState.ASSIGNED and work.agent == mail_agent

    web = client_for(mail_agent)
    page = web.get(f"/desk/mail/{mail.pk}/")
    assert page.status_code == 200
    assert "Soptunnan har inte tömts på två veckor" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answered = web.post(
            f"/desk/mail/{mail.pk}/",
            {
                "answer": "Vi skickar en bil i morgon.",
                "outcome": "forwarded",
                "case_type": parking_type.code,
                "priority": "2",
            },
        )
    assert answered.status_code == 302, answered.content.decode()
    mail.refresh_from_db()
    case = mail.case
    assert mail.state == MailState.ANSWERED and case is not None
    assert case.resident.emails.get().address == "elsa@example.org"
    work.refresh_from_db()
    assert work.state == WorkState.DONE

    sent = smtp.wait(2)
    answer = next(m for m in sent if "Vi skickar en bil" in m.get_body().get_content())
    assert answer["To"] == "elsa@example.org"
    assert case.reference in answer["Subject"]
    assert answer["In-Reply-To"] == first_id and first_id in answer["References"]
    assert "Auto-Submitted" not in answer  # a person wrote it
    receipt = next(m for m in sent if m is not answer)
    assert receipt["Auto-Submitted"] == "auto-generated"
    notice = Notice.objects.get(message_id=answer["Message-ID"])
    assert notice.case == case

    # The resident answers with a subject of their own; the headers find the case.
    reply = eml(
        subject="En sak till",
        body="Tack! Bilen kom inte heller idag.\n\nOn Tue, Kontakt wrote:\n> Vi skickar en bil",
        headers={"In-Reply-To": answer["Message-ID"], "References": answer["Message-ID"]},
    )
    dovecot.append(imap_mailbox.folder, reply)
    assert mailbox_read(imap_mailbox) == 1
    threaded = InboundMail.objects.exclude(pk=mail.pk).get()
    assert threaded.state == MailState.THREADED and threaded.case == case
    assert threaded.text == "Tack! Bilen kom inte heller idag."
    assert threaded.quoted.startswith("On Tue, Kontakt wrote:")
    messages_in = CaseEvent.objects.filter(case=case, kind=CaseEventKind.MESSAGE_IN)
    assert [event.data["mail_id"] for event in messages_in.order_by("at", "id")] == [
        mail.pk,
        threaded.pk,
    ]
    assert not QueuedContact.objects.filter(reference=f"mail:{threaded.pk}").exists()


def test_an_answer_closed_at_first_contact_threads_the_reply_to_the_conversation(
    dovecot, imap_mailbox, mail_agent, smtp, client_for, django_capture_on_commit_callbacks
):
    dovecot.append(imap_mailbox.folder, eml(subject="Öppettider?", body="När har ni öppet?"))
    mailbox_read(imap_mailbox)
    mail = InboundMail.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(mail_agent).post(
            f"/desk/mail/{mail.pk}/",
            {"answer": "Vardagar 8–16.", "outcome": "closed", "priority": "2"},
        )
    assert response.status_code == 302, response.content.decode()
    (answer,) = [m for m in smtp.wait(1) if "Vardagar" in m.get_body().get_content()]
    assert answer["Subject"] == "Re: Öppettider?"
    assert answer["In-Reply-To"] == mail.message_id
    dovecot.append(
        imap_mailbox.folder,
        eml(
            subject="Re: Öppettider?",
            body="Och på lördagar?",
            headers={"In-Reply-To": answer["Message-ID"]},
        ),
    )
    mailbox_read(imap_mailbox)
    reply = InboundMail.objects.exclude(pk=mail.pk).get()
    # No case to join: a new mail for an agent, shown with the conversation it answers.
    assert reply.state == MailState.QUEUED and reply.earlier == mail
    supervisor_view = client_for(mail_agent).get(f"/desk/mail/{reply.pk}/")
    assert supervisor_view.status_code == 200
    assert "An answer to an earlier mail" in supervisor_view.content.decode()


def test_the_same_mailbox_read_twice_stores_each_message_once(dovecot, imap_mailbox, mail_agent):
    dovecot.append(imap_mailbox.folder, eml(), eml(subject="Två"), eml(subject="Tre"))
    assert mailbox_read(imap_mailbox) == 3
    assert mailbox_read(imap_mailbox) == 0
    # As if the process died before it recorded how far it read: everything again.
    imap_mailbox.last_uid = 0
    imap_mailbox.save()
    assert mailbox_read(imap_mailbox) == 3
    assert InboundMail.objects.count() == 3
    assert QueuedContact.objects.filter(channel="email").count() == 3
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_uid == 3 and imap_mailbox.failing_since is None
    # A new UIDVALIDITY (the server renumbered the folder) reads from 1: Message-IDs hold.
    imap_mailbox.uidvalidity = 1
    imap_mailbox.save()
    assert mailbox_read(imap_mailbox) == 3
    assert InboundMail.objects.count() == 3


def test_an_out_of_office_reply_is_stored_and_never_queued_or_answered(
    dovecot, imap_mailbox, mail_agent, smtp, django_capture_on_commit_callbacks
):
    dovecot.append(
        imap_mailbox.folder,
        eml(subject="Automatiskt svar: Ditt ärende", headers={"Auto-Submitted": "auto-replied"}),
        eml(subject="Out of office", body="I am away until Monday."),
        eml(subject="Semester", headers={"X-Autoreply": "yes"}),
        eml(subject="Nyhetsbrev", headers={"Precedence": "bulk"}),
        eml(sender="MAILER-DAEMON@mx.example.org", subject="Undelivered Mail"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert mailbox_read(imap_mailbox) == 5
    stored = list(InboundMail.objects.all())
    assert len(stored) == 5
    assert {(mail.kind, mail.state) for mail in stored} == {
        (MailKind.AUTO_REPLY, MailState.IGNORED)
    }
    assert not QueuedContact.objects.exists()
    assert not Notice.objects.exists()
    assert smtp.messages == []


def test_a_mailbox_that_fails_is_shown_failing_and_read_again(dovecot, imap_mailbox, mail_agent):
    imap_mailbox.password = "wrong"
    imap_mailbox.save()
    dovecot.append(imap_mailbox.folder, eml())
    assert mailbox_read(imap_mailbox) == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.failing_since is not None and imap_mailbox.last_error
    imap_mailbox.password = dovecot.password
    imap_mailbox.save()
    assert mailbox_read(imap_mailbox) == 1
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.failing_since is None and imap_mailbox.last_error == ""
