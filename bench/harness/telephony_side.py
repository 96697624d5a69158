"""Kontakt's side of the telephony events benchmark, run in Kontakt's venv as a child.

    .venv/bin/python bench/harness/telephony_side.py setup
    .venv/bin/python bench/harness/telephony_side.py profile --calls 1000 --batch 100

The database comes from DATABASE_URL like any Kontakt process. `setup` migrates and makes,
through Kontakt's own models and services, the five answer groups of the call streams, the
agents who answer them (staff users with the agent role, named as the exchange names them)
and an exchange with its key. `profile` posts a call stream in-process, one request body at
a time through the API handler's own three steps (parse, check, record), and tells where the
time goes: each SQL statement kind with its count and time, and a cProfile of the rest.
Each command prints one JSON object.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")

import django

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from harness import call_streams  # noqa: E402
from kontakt.accounts.models import User  # noqa: E402
from kontakt.accounts.services import roles_sync  # noqa: E402
from kontakt.directory.models import AnswerGroup  # noqa: E402
from kontakt.telephony import api, services  # noqa: E402
from kontakt.telephony import selectors as telephony_selectors  # noqa: E402
from kontakt.telephony.models import (  # noqa: E402
    Call,
    CallEvent,
    MenuOption,
    PhoneNumber,
    Presence,
    PresenceChange,
)


def setup() -> dict[str, object]:
    call_command("migrate", verbosity=0, interactive=False)
    roles_sync()
    with transaction.atomic():
        groups = {
            code: AnswerGroup.objects.create(code=code, name=name)
            for code, name, _share, _digit in call_streams.GROUPS
        }
        # The numbers residents call, each with its menu: a digit for each group.
        for number in call_streams.NUMBERS:
            phone = PhoneNumber.objects.create(
                number=number,
                name=f"Kontaktcenter {number[-3:]}",
                greeting="Välkommen till kommunen.",
                closed_message="Vi har stängt.",
                default_group=groups["vaxel"],
            )
            for code, name, _share, digit in call_streams.GROUPS:
                MenuOption.objects.create(
                    phone_number=phone, digit=digit, label=name, answer_group=groups[code]
                )
        role = Group.objects.get(name="agent")
        for n in range(1, call_streams.AGENTS + 1):
            user = User(username=call_streams.agent_name(n), first_name=f"Agent {n}")
            user.set_unusable_password()
            user.save()
            user.groups.add(role)
        _exchange, key = services.exchange_create(name="benchmark exchange")
    return {
        "key": key,
        "groups": [g[0] for g in call_streams.GROUPS],
        "agents": call_streams.AGENTS,
    }


# Profiling ------------------------------------------------------------------------------

_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")
_LISTS = re.compile(r"\((?:%s|\?|, )+\)")


def _statement_kind(sql: str) -> str:
    """A statement with its literals and IN lists folded, so like statements add up."""
    shape = re.sub(r'"s\d+_x\d+"', '"…"', sql)  # savepoint names
    shape = _LISTS.sub("(…)", _LITERALS.sub("?", shape))
    shape = re.sub(r"(\(\?(?:, \?)*\))(?:, \1)+", r"\1, …", shape)
    shape = re.sub(r"\(\?(?:, \?)+\)", "(…)", shape)
    return shape[:160]


class StageTimer:
    """Wraps functions by name: how often each ran and its seconds (inclusive)."""

    def __init__(self) -> None:
        self.stages: dict[str, list[float]] = {}
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, attribute: str, label: str) -> None:
        original = getattr(owner, attribute)
        stages = self.stages.setdefault(label, [])

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stages.append(time.perf_counter() - began)

        setattr(owner, attribute, timed)
        self._undo.append((owner, attribute, original))

    def undo(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)
        self._undo.clear()


class StatementTimer:
    """Django's execute wrapper: the count and seconds of each kind of statement."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[float]] = {}

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.kinds.setdefault(_statement_kind(sql), []).append(time.perf_counter() - began)


def _reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE telephony_callevent, telephony_call, telephony_presencechange, "
            "telephony_presence CASCADE"
        )


def _post(exchange, body: bytes) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """What the API handler does with a body, the authentication already done."""
    events = api._core_events(api._parse_events(body))
    recorded = services.call_events_record(events=events, exchange=exchange)
    return {"accepted": recorded.accepted, "duplicates": recorded.duplicates}


def profile(calls: int, batch: int, top: int) -> dict[str, object]:
    from kontakt.telephony.models import Exchange

    exchange = Exchange.objects.get()
    stream = call_streams.calls(calls)
    plan = call_streams.send_order(stream, batch=batch, window=batch * 4)
    bodies = call_streams.bodies(plan.sent, batch)
    result: dict[str, object] = {"calls": calls, "batch": batch, "requests": len(bodies)}

    # 1. Timed, with every statement timed by kind and the main steps timed by name.
    _reset()
    from django.db.models.query import QuerySet

    stages = StageTimer()
    for owner, attribute, label in (
        (api, "_parse_events", "api._parse_events (JSON, pydantic)"),
        (api, "_core_events", "api._core_events (groups, number look-ups)"),
        (services, "call_events_record", "services.call_events_record (the transaction)"),
        (services.events, "_lock_calls", "  _lock_calls (an advisory lock per call)"),
        (connection, "commit", "  COMMIT"),
        (services.events, "_calls_rebuild", "  _calls_rebuild"),
        (QuerySet, "bulk_update", "    QuerySet.bulk_update (calls)"),
        (services.events, "summarize_call", "    core summarize_call"),
        (services.events, "_presence_follow", "  _presence_follow"),
        (services.presence, "_presence_of", "    _presence_of (select_for_update get_or_create)"),
        (services.presence, "_presence_set", "    _presence_set (save, PresenceChange, message)"),
        (telephony_selectors, "screen_pop_message", "    selectors.screen_pop_message"),
        (telephony_selectors, "wrap_up_seconds", "    selectors.wrap_up_seconds"),
        (telephony_selectors, "agents_by_exchange_name", "  selectors.agents_by_exchange_name"),
        (telephony_selectors, "answer_group_for", "  selectors.answer_group_for"),
    ):
        stages.wrap(owner, attribute, label)
    timer = StatementTimer()
    parse_seconds = 0.0
    began = time.perf_counter()
    with connection.execute_wrapper(timer):
        for body in bodies:
            t0 = time.perf_counter()
            items = api._parse_events(body)
            parse_seconds += time.perf_counter() - t0
            events = api._core_events(items)
            services.call_events_record(events=events, exchange=exchange)
    total = time.perf_counter() - began
    stages.undo()
    sql_seconds = sum(sum(v) for v in timer.kinds.values())
    statements = sum(len(v) for v in timer.kinds.values())
    result["timed"] = {
        "seconds": round(total, 3),
        "events_per_second": round(plan.distinct / total, 1),
        "per_request_ms": round(total / len(bodies) * 1000, 2),
        "statements_per_request": round(statements / len(bodies), 1),
        "sql_seconds": round(sql_seconds, 3),
        "sql_share": round(sql_seconds / total, 3),
        "parse_seconds (json + pydantic)": round(parse_seconds, 3),
        "rows": {
            "callevent": CallEvent.objects.count(),
            "call": Call.objects.count(),
            "presence": Presence.objects.count(),
            "presencechange": PresenceChange.objects.count(),
        },
    }
    result["stages"] = [
        {
            "stage": label,
            "calls_per_request": round(len(times) / len(bodies), 2),
            "ms_per_request": round(sum(times) / len(bodies) * 1000, 2),
            "share": round(sum(times) / total, 3),
        }
        for label, times in stages.stages.items()
    ]
    result["statements"] = [
        {
            "statement": kind,
            "per_request": round(len(times) / len(bodies), 2),
            "ms_per_request": round(sum(times) / len(bodies) * 1000, 3),
            "share_of_request": round(sum(times) / total, 3),
        }
        for kind, times in sorted(timer.kinds.items(), key=lambda kv: -sum(kv[1]))[:top]
    ]

    # 2. The same again under cProfile: where the Python time goes.
    _reset()
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies:
        _post(exchange, body)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    result["cprofile"] = out.getvalue()
    _reset()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup")
    profile_parser = sub.add_parser("profile")
    profile_parser.add_argument("--calls", type=int, default=1000)
    profile_parser.add_argument("--batch", type=int, default=100)
    profile_parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if args.command == "setup":
        result: object = setup()
    else:
        result = profile(args.calls, args.batch, args.top)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
