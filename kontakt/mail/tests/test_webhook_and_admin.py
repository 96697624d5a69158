"""The inbound webhook's authentication and limits; the admin's mailbox and quarantine;
who may open the desk page of a mail."""

import pytest

from kontakt.mail.models import InboundMail, MailState
from kontakt.mail.services import mail_receive

from .conftest import eml

pytestmark = pytest.mark.django_db

TOKEN = "a-long-webhook-token"


@pytest.fixture
def webhook(settings, drop_mailbox):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MAIL": {**settings.KONTAKT["MAIL"], "WEBHOOK_TOKEN": TOKEN, "MESSAGE_MAX_BYTES": 20_000},
    }
    return drop_mailbox


def post(client, body: bytes, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/mail/inbound", body, content_type="message/rfc822", headers=headers)


def test_the_webhook_stores_a_message_once(client, webhook):
    raw = eml(message_id="<hook@example.org>")
    first = post(client, raw)
    assert first.status_code == 202 and first.json()["state"] == "queued"
    again = post(client, raw)
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    assert InboundMail.objects.get().mailbox == webhook


def test_the_webhook_refuses_without_the_token_or_too_large(client, webhook):
    assert post(client, eml(), token=None).status_code == 401
    assert post(client, eml(), token="wrong").status_code == 401
    assert post(client, eml(body="x" * 30_000)).status_code == 413
    assert post(client, b"   ").status_code == 400
    assert client.get("/mail/inbound").status_code == 405
    assert not InboundMail.objects.exists()


def test_the_webhook_is_off_without_a_token(client, drop_mailbox):
    assert post(client, eml()).status_code == 404


def test_the_admin_shows_a_failing_mailbox_and_releases_quarantined_mail(
    client_for, administrator, supervisor, drop_mailbox, settings
):
    drop_mailbox.last_error = "LOGIN failed"
    drop_mailbox.failing_since = drop_mailbox.last_checked_at = None
    drop_mailbox.save()
    admin = client_for(administrator)
    listing = admin.get("/admin/mail/mailbox/")
    assert listing.status_code == 200 and "LOGIN failed" in listing.content.decode()
    change = admin.get(f"/admin/mail/mailbox/{drop_mailbox.pk}/change/")
    drop_mailbox.password = "secret-imap-password"
    drop_mailbox.save()
    change = admin.get(f"/admin/mail/mailbox/{drop_mailbox.pk}/change/")
    assert "secret-imap-password" not in change.content.decode()

    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 100}
    mail = mail_receive(
        eml(attachments=[("a.pdf", "application/pdf", b"%PDF" + b"0" * 500)]), mailbox=drop_mailbox
    )
    assert mail.state == MailState.QUARANTINED
    quarantine = admin.get("/admin/mail/inboundmail/?state__exact=quarantined")
    assert quarantine.status_code == 200 and mail.subject in quarantine.content.decode()
    # A supervisor reads, but may not release.
    refused = client_for(supervisor).post(
        "/admin/mail/inboundmail/", {"action": "release", "_selected_action": [mail.pk]}
    )
    mail.refresh_from_db()
    assert refused.status_code in (200, 302, 403) and mail.state == MailState.QUARANTINED
    released = admin.post(
        "/admin/mail/inboundmail/", {"action": "release", "_selected_action": [mail.pk]}
    )
    assert released.status_code == 302
    mail.refresh_from_db()
    assert mail.state == MailState.QUEUED


def test_only_the_agent_holding_the_mail_or_a_supervisor_opens_it(
    client_for, drop_mailbox, mail_agent, second_line, supervisor
):
    mail = mail_receive(eml(), mailbox=drop_mailbox)
    assert client_for(mail_agent).get(f"/desk/mail/{mail.pk}/").status_code == 200
    assert client_for(second_line).get(f"/desk/mail/{mail.pk}/").status_code == 404
    assert client_for(supervisor).get(f"/desk/mail/{mail.pk}/").status_code == 200
    # An answer without text is refused with the field's message; nothing is stored.
    empty = client_for(mail_agent).post(
        f"/desk/mail/{mail.pk}/", {"answer": "", "outcome": "closed", "priority": "2"}
    )
    assert empty.status_code == 400
    mail.refresh_from_db()
    assert mail.state == MailState.QUEUED
    forwarded_without_type = client_for(mail_agent).post(
        f"/desk/mail/{mail.pk}/", {"answer": "Hej", "outcome": "forwarded", "priority": "2"}
    )
    assert forwarded_without_type.status_code == 400
    assert "case type" in forwarded_without_type.content.decode()
    mail.refresh_from_db()
    assert mail.state == MailState.QUEUED and mail.contact is None
