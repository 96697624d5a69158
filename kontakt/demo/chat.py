"""The demo's web chat: the answer group that takes chats, and agent1 (Anna Lindqvist, whom
a person signs in as) able to take them in Swedish, Norwegian and English.

No simulated agent gets the chat skill, so a chat started on /answers/ waits for agent1 to
press Ready on the desktop, and is not taken by the simulated exchange's agents.
"""

from kontakt.accounts.models import User
from kontakt.directory.models import AnswerGroup
from kontakt.telephony.models import AgentSkill, RoutingSettings

CHAT_GROUP = "chatt"  # KONTAKT["CHAT"]["ANSWER_GROUP"]'s default
CHAT_SKILL = "chatt"
# A chat lasts longer than a call; with three at once an agent answers about one a minute.
CHAT_HANDLE_SECONDS = 300
CHAT_AGENTS = {"agent1": ["sv", "nb", "en"]}


def seed_chat() -> None:
    """The chat group and its agent (update or create, so seeding twice changes nothing)."""
    group, _ = AnswerGroup.objects.update_or_create(code=CHAT_GROUP, defaults={"name": "Chatt"})
    RoutingSettings.objects.update_or_create(
        answer_group=group,
        defaults={
            "skill": CHAT_SKILL,
            "wrap_up_seconds": 0,
            "handle_seconds": CHAT_HANDLE_SECONDS,
        },
    )
    for username, languages in CHAT_AGENTS.items():
        agent = User.objects.get(username=username)
        agent.languages = sorted(set(agent.languages or ()) | set(languages))
        agent.save(update_fields=["languages"])
        AgentSkill.objects.update_or_create(
            agent=agent, skill=CHAT_SKILL, defaults={"proficiency": 4}
        )
