"""What becomes of each kind of mail: threading and its forgery rule, bounces, bad input."""

from email.message import EmailMessage

import pytest

from kontakt.cases.models import CaseEvent, CaseEventKind, Delivery, Notice, NoticeState
from kontakt.cases.services import case_add_message
from kontakt.cases.tests.factories import CaseFactory
from kontakt.mail.models import InboundMail, MailKind, MailState
from kontakt.mail.services import mail_receive, mail_release
from kontakt.residents.models import ResidentEmail
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.telephony.models import QueuedContact

from .conftest import eml

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsa_case(parking_type):
    elsa = ResidentFactory(name="Elsa Berg")
    ResidentEmail.objects.create(resident=elsa, address="elsa@example.org")
    return CaseFactory(resident=elsa, case_type=parking_type, subject="Soptunnan")


def test_a_reference_in_the_subject_threads_mail_from_the_residents_address(
    drop_mailbox, elsa_case
):
    mail = mail_receive(
        eml(
            subject=f"Angående {elsa_case.reference.lower()}",
            attachments=[
                ("bild.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
                ("program.exe", "application/octet-stream", b"MZ\x90\x00" + b"\0" * 64),
            ],
        ),
        mailbox=drop_mailbox,
    )
    assert mail.state == MailState.THREADED and mail.case == elsa_case
    event = CaseEvent.objects.get(case=elsa_case, kind=CaseEventKind.MESSAGE_IN)
    assert event.channel == "email" and event.data["from"] == "elsa@example.org"
    png, exe = mail.attachments.order_by("id")
    # The image is on the case; the program stays on the mail, with why.
    assert png.attachment_id == elsa_case.attachments.get().pk
    assert exe.attachment_id is None and exe.refused


def test_a_forged_in_reply_to_does_not_thread_into_another_residents_case(
    drop_mailbox, elsa_case, agent, django_capture_on_commit_callbacks
):
    event = case_add_message(
        case=elsa_case, body="Svar till Elsa", direction="out", channel="email", by=agent
    )
    notice = Notice.objects.get(key=f"message:{event.pk}")
    notice.message_id = "<sent-to-elsa@sjostad.example>"
    notice.save()
    forged = mail_receive(
        eml(
            sender="mallory@example.net",
            subject=f"Re: {elsa_case.reference}",
            headers={"In-Reply-To": notice.message_id, "References": notice.message_id},
        ),
        mailbox=drop_mailbox,
    )
    assert forged.state == MailState.QUEUED and forged.case is None and forged.suspicious
    assert QueuedContact.objects.filter(reference=f"mail:{forged.pk}").exists()
    assert not CaseEvent.objects.filter(case=elsa_case, kind=CaseEventKind.MESSAGE_IN).exists()
    # The same headers from Elsa thread.
    genuine = mail_receive(
        eml(headers={"In-Reply-To": notice.message_id}, subject="Helt annat ämne"),
        mailbox=drop_mailbox,
    )
    assert genuine.state == MailState.THREADED and genuine.case == elsa_case


def dsn(*, failed: str, original_id: str, status: str = "5.1.1") -> bytes:
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.org>"
    report["To"] = "kontakt@sjostad.example"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<dsn-1@mx.example.org>"
    report.set_content("Your message could not be delivered.")
    report.make_mixed()
    raw = report.as_bytes().decode()
    boundary = report.get_boundary()
    raw = raw.replace("multipart/mixed", 'multipart/report; report-type="delivery-status"', 1)
    tail = f"--{boundary}--"
    extra = (
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\n\n"
        f"Final-Recipient: rfc822; {failed}\nAction: failed\nStatus: {status}\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
        f"--{boundary}\nContent-Type: text/rfc822-headers\n\n"
        f"Message-ID: {original_id}\nSubject: Ditt ärende\n\n"
        f"{tail}"
    )
    return raw.replace(tail, extra).encode()


def test_a_bounce_marks_the_address_failing_and_the_message_not_delivered(
    drop_mailbox, elsa_case, agent
):
    event = case_add_message(
        case=elsa_case, body="Svar till Elsa", direction="out", channel="email", by=agent
    )
    notice = Notice.objects.get(key=f"message:{event.pk}")
    notice.message_id = "<bounced@sjostad.example>"
    notice.save()
    mail = mail_receive(
        dsn(failed="Elsa@example.org", original_id=notice.message_id), mailbox=drop_mailbox
    )
    assert (mail.kind, mail.state) == (MailKind.BOUNCE, MailState.IGNORED)
    address = ResidentEmail.objects.get(address="elsa@example.org")
    assert address.failing_since is not None and "5.1.1" in address.failing_reason
    notice.refresh_from_db()
    assert notice.state == NoticeState.FAILED and "5.1.1" in notice.last_error
    event.refresh_from_db()
    assert event.data["delivery"] == Delivery.FAILED
    assert not QueuedContact.objects.exists()


def test_html_with_script_becomes_plain_text(drop_mailbox):
    raw = eml(
        body="",
        html='<p>Hej <b>där</b></p><script>alert("x")</script><style>p{}</style>'
        '<img src=x onerror="alert(1)"><ul><li>ett</li></ul>',
    )
    message = EmailMessage()
    message["From"] = "elsa@example.org"
    message["Subject"] = "Bara HTML"
    message.set_content(
        '<p>Hej <b>där</b></p><script>alert("x")</script><a href="javascript:x">länk</a>',
        subtype="html",
    )
    only_html = mail_receive(message.as_bytes(), mailbox=drop_mailbox)
    assert only_html.text == "Hej där\nlänk"
    assert "script" not in only_html.text and "alert" not in only_html.text
    both = mail_receive(raw, mailbox=drop_mailbox)
    assert "alert" not in both.text


def test_a_wrong_or_unknown_charset_is_read_with_replacement(drop_mailbox):
    raw = (
        b"From: elsa@example.org\r\nSubject: =?x-unknown?q?Fr=E5ga?=\r\n"
        b"Message-ID: <charset@example.org>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nHej, fr\xe5ga om \xff\xfe.\r\n"
    )
    mail = mail_receive(raw, mailbox=drop_mailbox)
    assert mail.state == MailState.QUEUED
    assert mail.text.startswith("Hej, fr") and "\ufffd" in mail.text
    wrong = mail_receive(
        b"From: elsa@example.org\r\nMessage-ID: <utf@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nLatin-1 i UTF-8: \xe5\xe4\xf6\r\n",
        mailbox=drop_mailbox,
    )
    assert wrong.state == MailState.QUEUED and "\ufffd" in wrong.text


def test_malformed_mime_is_kept_and_handled_with_what_can_be_read(drop_mailbox):
    raw = (
        b"From: <<not an address>>\r\nSubject: Trasig\r\nMessage-ID: broken-id-without-brackets\r\n"
        b'Content-Type: multipart/mixed; boundary="nope"\r\n\r\n'
        b"Det finns ingen gr\xc3\xa4ns h\xc3\xa4r.\r\n"
    )
    mail = mail_receive(raw, mailbox=drop_mailbox)
    assert mail.message_id.endswith("@no-message-id.kontakt.invalid>")
    assert mail.raw.read() == raw  # kept as it came
    assert mail.from_address == ""
    # Nothing to answer it at: stored and queued, the agent sees it has no address.
    assert mail.state == MailState.QUEUED
    assert mail_receive(raw, mailbox=drop_mailbox).pk == mail.pk  # stored once


def test_a_huge_attachment_quarantines_the_mail_until_released(
    drop_mailbox, settings, administrator, elsa_case
):
    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 1000}
    raw = eml(
        subject=elsa_case.reference,
        attachments=[("stor.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * 5000)],
    )
    mail = mail_receive(raw, mailbox=drop_mailbox)
    assert mail.state == MailState.QUARANTINED and "stor.pdf" in mail.error
    assert mail.attachments.get().size > 5000  # kept, not lost
    assert not CaseEvent.objects.filter(kind=CaseEventKind.MESSAGE_IN).exists()
    released = mail_release(mail=mail, by=administrator)
    assert released.state == MailState.THREADED and released.case == elsa_case
    assert released.attachments.get().refused


def test_a_mail_without_a_message_id_gets_one_from_its_content(drop_mailbox):
    raw = b"From: elsa@example.org\r\nSubject: Utan id\r\n\r\nHej\r\n"
    first = mail_receive(raw, mailbox=drop_mailbox)
    assert mail_receive(raw, mailbox=drop_mailbox).pk == first.pk
    assert InboundMail.objects.count() == 1


def test_the_drop_folder_reads_each_file_once(drop_mailbox, settings, tmp_path, group):
    from kontakt.mail.drop import drop_folder_read

    folder = tmp_path / "drop"
    (folder / "a.eml").write_bytes(eml(message_id="<drop-a@example.org>"))
    maildir_new = folder / "new"
    maildir_new.mkdir()
    (maildir_new / "1700000000.M1.host").write_bytes(eml(message_id="<drop-b@example.org>"))
    assert drop_folder_read(mailbox=drop_mailbox) == 2
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["a.eml"]
    assert [p.name for p in (folder / "cur").iterdir()] == ["1700000000.M1.host:2,S"]
    # A crash before the move: the file is read again and stored once.
    (folder / "again.eml").write_bytes(eml(message_id="<drop-a@example.org>"))
    assert drop_folder_read(mailbox=drop_mailbox) == 1
    assert InboundMail.objects.count() == 2


def test_the_raw_message_is_kept(drop_mailbox):
    raw = eml()
    mail = mail_receive(raw, mailbox=drop_mailbox)
    with mail.raw.open("rb") as handle:
        assert handle.read() == raw
