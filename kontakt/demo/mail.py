"""The demo's e-mail: the center's mailbox "Kontaktcenter" reads the local mail-drop folder
(KONTAKT["MAIL"]["DROP_DIR"], var/mail-drop), so the demo needs no mail server. Its mail is
queued in the answer group "E-post", whose skill only agent1 (the agent a person signs in
as) has: the simulated exchange's agents never take it."""

from pathlib import Path

from django.conf import settings

from kontakt.accounts.models import User
from kontakt.directory.models import AnswerGroup
from kontakt.mail.models import Mailbox, MailboxKind
from kontakt.telephony.models import AgentSkill, RoutingSettings

GROUP_CODE = "e-post"
SKILL = "e-post"
# The e-mail a demo user drops into var/mail-drop to write to the center (README).
SAMPLE = Path(__file__).parent / "sample-mail.eml"


def seed_mail() -> Mailbox:
    """The mailbox, its answer group and agent1's skill for it (update or create)."""
    group, _ = AnswerGroup.objects.update_or_create(
        code=GROUP_CODE, defaults={"name": "E-post", "language": ""}
    )
    RoutingSettings.objects.update_or_create(
        answer_group=group,
        defaults={"skill": SKILL, "wrap_up_seconds": 0, "callback_after_seconds": 0},
    )
    agent = User.objects.filter(username="agent1").first()
    if agent is not None:
        AgentSkill.objects.update_or_create(agent=agent, skill=SKILL, defaults={"proficiency": 5})
    mailbox, _ = Mailbox.objects.update_or_create(
        name="Kontaktcenter",
        defaults={
            "kind": MailboxKind.DROP,
            "address": "kontakt@sjostad.example",
            "answer_group": group,
            "folder": "",
            "active": True,
        },
    )
    Path(settings.KONTAKT["MAIL"]["DROP_DIR"]).mkdir(parents=True, exist_ok=True)
    return mailbox
