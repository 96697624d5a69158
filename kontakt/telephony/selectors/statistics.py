"""The live and historical service level, by the definitions of DESIGN.md."""

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.core import routing
from kontakt.core.call_events import CallState, CallSummary
from kontakt.core.call_stats import ServiceLevel, by_interval, service_level
from kontakt.core.presence import AgentState
from kontakt.directory.models import AnswerGroup

from ..models import Call, Presence
from .access import require_watcher
from .config import telephony_settings
from .crisis import crisis_shown
from .presence import effective_state
from .routing import STALE_WAITING, routing_groups

# The columns of a Call and the fields of the core's CallSummary they hold.
SUMMARY_COLUMNS = {
    "call_id": "call_id",
    "number": "number",
    "caller": "caller",
    "group_code": "answer_group",
    "agent_name": "agent",
    "state": "state",
    "started_at": "started_at",
    "queued_at": "queued_at",
    "answered_at": "answered_at",
    "ended_at": "ended_at",
    "wait_seconds": "wait_seconds",
    "talk_seconds": "talk_seconds",
    "digit": "digit",
    "transfers": "transfers",
    "transfers_returned": "transfers_returned",
    "callback_requested": "callback_requested",
    "last_event_at": "last_event_at",
}


def summary_of(call: Call) -> CallSummary:
    """A stored call as the core's statistics read it."""
    fields = {name: getattr(call, column) for column, name in SUMMARY_COLUMNS.items()}
    return CallSummary(**{**fields, "state": CallState(call.state)})


def calls_queued_between(
    *, start: datetime, end: datetime, group: AnswerGroup | None = None
) -> QuerySet[Call]:
    """The calls that entered a queue in [start, end): of the group, or (the center) of any
    queue, whatever its answer group (active or not, or none configured for that queue)."""
    calls = Call.objects.filter(queued_at__gte=start, queued_at__lt=end)
    if group is not None:
        calls = calls.filter(group_code=group.code)
    return calls.only(*SUMMARY_COLUMNS)


def thresholds() -> tuple[int, ...]:
    return tuple(telephony_settings()["SERVICE_LEVEL_SECONDS"])


def service_level_of(calls: Iterable[CallSummary]) -> ServiceLevel:
    """Service level of these calls by the definitions of DESIGN.md (docs/telephony.md).

    The center's figure is this over `calls_queued_between` without a group: the wallboard's
    center and /stats/service-level without a group both give it, so they agree.
    """
    return service_level(calls, thresholds=thresholds())


def service_level_between(
    user: User, *, start: datetime, end: datetime, group: AnswerGroup | None = None
) -> ServiceLevel:
    """Service level of the calls queued in [start, end), of the group or the center."""
    require_watcher(user)
    calls = calls_queued_between(start=start, end=end, group=group)
    return service_level_of(summary_of(c) for c in calls.iterator())


def calls_today(user: User, *, now: datetime) -> list[CallSummary]:
    """The calls queued since local midnight, as the statistics read them."""
    require_watcher(user)
    calls = calls_queued_between(start=_today_start(now), end=now + timedelta(seconds=1))
    return [summary_of(c) for c in calls.iterator()]


def intervals_today(
    user: User, *, now: datetime, minutes: int = 15, calls: list[CallSummary] | None = None
) -> list[tuple[str, ServiceLevel]]:
    """Today's service level per interval from the first to the current one with calls
    (at least 07:00–17:00), labelled with the local time of the interval's start."""
    require_watcher(user)
    start = _today_start(now)
    if calls is None:
        calls = calls_today(user, now=now)
    found = by_interval(calls, minutes=minutes, thresholds=thresholds())
    local = {timezone.localtime(k).replace(second=0, microsecond=0): v for k, v in found.items()}
    first = min([start.replace(hour=7), *local])
    last = max([start.replace(hour=17), *local])
    empty = service_level([], thresholds=thresholds())
    rows = []
    at = first
    while at <= last:
        rows.append((f"{at:%H:%M}" if at.minute == 0 else "", local.get(at, empty)))
        at += timedelta(minutes=minutes)
    return rows


def _today_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def live_figures(
    user: User, *, now: datetime | None = None, calls: list[CallSummary] | None = None
) -> dict[str, Any]:
    """The wallboard: per active answer group waiting, longest wait, agents by state and
    today's service level; the same figures for the whole center, whose service level
    counts every call queued today (`calls`: today's, if read)."""
    require_watcher(user)
    now = now or timezone.now()
    if calls is None:
        calls = calls_today(user, now=now)
    groups, _handle = routing_groups()
    names = dict(AnswerGroup.objects.filter(active=True).values_list("code", "name"))
    today: dict[str, list[CallSummary]] = {g.code: [] for g in groups}
    waiting_since: dict[str, list[datetime]] = {g.code: [] for g in groups}
    for call in calls:
        today.setdefault(call.answer_group, []).append(call)
        queued_at = call.queued_at
        if call.state == CallState.WAITING and queued_at and queued_at >= now - STALE_WAITING:
            waiting_since.setdefault(call.answer_group, []).append(queued_at)
    # Agents by state, counted in every group whose need they can take.
    presences = list(
        Presence.objects.filter(agent__is_active=True)
        .select_related("agent")
        .prefetch_related("agent__skills")
    )
    by_group: dict[str, Counter[str]] = {g.code: Counter() for g in groups}
    center_agents: Counter[str] = Counter()
    for presence in presences:
        state = effective_state(presence, now=now)
        agent = routing.Agent(
            id=str(presence.agent_id),
            skills={s.skill: s.proficiency for s in presence.agent.skills.all()},
            languages=frozenset(presence.agent.languages or ()),
        )
        if not agent.skills:
            continue
        center_agents[state.value] += 1
        for group in groups:
            if routing.can_take(agent, routing.Need(group.skill, group.language)):
                by_group[group.code][state.value] += 1
    th = thresholds()
    rows = []
    for group in groups:
        figures = service_level_of(today.get(group.code, []))
        waits = waiting_since.get(group.code, [])
        rows.append(
            {
                "code": group.code,
                "name": names.get(group.code, group.code),
                "waiting": len(waits),
                "longest_wait_seconds": round((now - min(waits)).total_seconds(), 1)
                if waits
                else 0.0,
                "agents": {s.value: by_group[group.code][s.value] for s in AgentState},
                **figures_json(figures, th),
            }
        )
    # The center counts every call of the day, also those of groups without a row here
    # (inactive since, or a queue with no answer group): the same figure as the API's.
    total = service_level_of(calls)
    all_waits = [w for ws in waiting_since.values() for w in ws]
    return {
        "at": now.isoformat(),
        "groups": rows,
        "center": {
            "waiting": len(all_waits),
            "longest_wait_seconds": round((now - min(all_waits)).total_seconds(), 1)
            if all_waits
            else 0.0,
            "agents": {s.value: center_agents[s.value] for s in AgentState},
            **figures_json(total, th),
        },
        "crisis": crisis_shown(),
    }


def figures_json(figures: ServiceLevel, th: tuple[int, ...]) -> dict[str, Any]:
    """Service-level figures as the API and the wallboard give them."""

    def share(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    out: dict[str, Any] = {
        "offered": figures.offered,
        "answered": figures.answered,
        "abandoned": figures.abandoned,
        "short_abandoned": figures.short_abandoned,
        "left_queue": figures.left_queue,
        "callbacks": figures.callbacks,
        "answer_rate": share(figures.answer_rate),
        "asa_seconds": None if figures.asa_seconds is None else round(figures.asa_seconds, 1),
    }
    for t in th:
        out[f"service_level_{t}"] = share(figures.service_level(t))
    for t in th:
        out[f"service_level_{t}_of_answered"] = share(figures.service_level_of_answered(t))
    return out
