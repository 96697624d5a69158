"""The demo's e-mail: the sample mail dropped into the mail-drop folder reaches agent1."""

import shutil

import pytest

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.demo import mail as demo_mail
from kontakt.mail.models import InboundMail, MailState
from kontakt.mail.tasks import mail_poll
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import QueuedContact, WorkState

pytestmark = pytest.mark.django_db


def test_the_sample_mail_dropped_in_the_folder_is_queued_for_agent1(settings, tmp_path):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "MAIL": {**settings.KONTAKT["MAIL"], "DROP_DIR": str(tmp_path / "mail-drop")},
    }
    agent1 = UserFactory(username="agent1", role=Role.AGENT, languages=["sv", "en"])
    demo_mail.seed_mail()
    demo_mail.seed_mail()  # idempotent
    telephony_services.presence_change(agent=agent1, state="ready", by=agent1)
    shutil.copy(demo_mail.SAMPLE, tmp_path / "mail-drop" / "elsa.eml")

    mail_poll.call()

    mail = InboundMail.objects.get()
    assert mail.state == MailState.QUEUED and mail.language == "sv"
    work = QueuedContact.objects.get(reference=f"mail:{mail.pk}")
    assert work.state == WorkState.ASSIGNED and work.agent == agent1
    assert (tmp_path / "mail-drop" / "done" / "elsa.eml").exists()
