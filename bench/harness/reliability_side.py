"""Kontakt's side of the reliability suite, run in Kontakt's venv as a child process.

    .venv/bin/python bench/harness/reliability_side.py setup --agents 100 [--full | --minimal]

The database comes from DATABASE_URL like any Kontakt process. `setup` migrates, seeds the
demo municipality (configuration, staff, residents, the knowledge base; with --full also
the months of contacts, cases and calls `kontakt demo` makes; with --minimal only the
configuration and residents), adds AGENTS agents who sign in with one password (the first
also with a bearer token) and an exchange with its key, and prints one JSON object: what the
load needs to know (agents, password, key, token, residents, case types, answer groups,
search words).
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# This checkout's kontakt, whichever the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from kontakt.accounts.models import User  # noqa: E402
from kontakt.accounts.services import api_token_create, roles_sync  # noqa: E402
from kontakt.cases.models import CaseType  # noqa: E402
from kontakt.demo import seed  # noqa: E402
from kontakt.directory.models import AnswerGroup  # noqa: E402
from kontakt.residents.models import Resident  # noqa: E402
from kontakt.telephony.services.events import exchange_create  # noqa: E402

PASSWORD = "load-agent-password-2026"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
SEARCH_WORDS = [
    "bygglov", "parkering", "sophämtning", "förskola", "hemtjänst", "vatten", "avgift",
    "ansökan", "felanmälan", "snöröjning", "bostadsanpassning", "skolskjuts",
]  # fmt: skip


def agent_name(n: int) -> str:
    return f"loadagent{n:03d}"


def setup(agents: int, full: bool, minimal: bool) -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    if minimal:
        with override_settings(TASKS=seed.DISCARD_TASKS), transaction.atomic():
            seed.seed_configuration()
            roles_sync()
            seed.seed_residents(random.Random(2026))
    elif full:
        seed.seed_all(progress=False)
    else:
        with override_settings(TASKS=seed.DISCARD_TASKS), transaction.atomic():
            seed.seed_configuration()
            # The demo staff (the articles' owners), who do not sign in here: a fast hasher
            # instead of twenty key derivations, half a minute.
            with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
                seed.seed_staff()
            seed.seed_residents(random.Random(2026))
            seed.seed_knowledge(now=timezone.now(), progress=False)
    # One hash for every agent: a hundred key derivations would take a minute.
    hashed = make_password(PASSWORD)
    role = Group.objects.get(name="agent")
    with transaction.atomic():
        for n in range(1, agents + 1):
            user, _created = User.objects.update_or_create(
                username=agent_name(n),
                defaults={"first_name": "Agent", "last_name": f"{n:03d}", "password": hashed},
            )
            user.groups.add(role)
    _exchange, key = exchange_create(name="load exchange")
    # A bearer token of the first agent, for clients that post without a session.
    _token, token = api_token_create(user=User.objects.get(username=agent_name(1)), name="load")
    residents = list(Resident.objects.order_by("pk").values_list("pk", "name")[:300])
    closing = list(CaseType.objects.filter(first_line_may_close=True).values_list("code", "name"))
    return {
        "agents": [agent_name(n) for n in range(1, agents + 1)],
        "password": PASSWORD,
        "key": key,
        "token": token,
        "residents": residents,
        "case_types": closing,
        "groups": list(AnswerGroup.objects.values_list("code", flat=True)),
        "words": SEARCH_WORDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("setup")
    made.add_argument("--agents", type=int, default=100)
    made.add_argument("--full", action="store_true")
    made.add_argument("--minimal", action="store_true", help="no staff, no knowledge base")
    args = parser.parse_args()
    print(json.dumps(setup(args.agents, args.full, args.minimal), ensure_ascii=False))


if __name__ == "__main__":
    main()
