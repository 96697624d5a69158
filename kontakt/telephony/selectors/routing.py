"""The routing picture: the core router loaded with this moment's groups, agents and
waiting contacts."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch

from kontakt.accounts.models import User
from kontakt.core import presence as core_presence
from kontakt.core import router as core_router
from kontakt.core.call_events import CallState
from kontakt.core.presence import AgentState
from kontakt.directory.models import AnswerGroup

from ..models import Call, OverflowStep, Presence, QueuedContact, WorkState
from .config import telephony_settings
from .presence import presence_state

# Calls still "waiting" after this long lost their hang-up event; routing passes them over.
STALE_WAITING = timedelta(hours=2)


@dataclass
class RoutingState:
    """The core router loaded with the groups, agents and waiting calls of this moment."""

    router: core_router.Router
    users: dict[str, User]
    queued: dict[str, float]

    @staticmethod
    def clock(now: datetime) -> float:
        return now.timestamp()

    def queued_at_of(self, call_id: str, *, default: datetime) -> float:
        return self.queued.get(call_id, default.timestamp())


def routing_groups() -> tuple[list[core_router.Group], dict[str, float]]:
    groups: list[core_router.Group] = []
    handle: dict[str, float] = {}
    steps_of = Prefetch("routing__steps", queryset=OverflowStep.objects.select_related("to_group"))
    active = AnswerGroup.objects.filter(active=True).select_related("routing")
    for group in active.prefetch_related(steps_of):
        routing = getattr(group, "routing", None)
        steps: tuple[core_router.OverflowStep, ...] = ()
        if routing is not None:
            steps = tuple(
                core_router.OverflowStep(after_seconds=s.after_seconds, group=s.to_group.code)
                for s in routing.steps.all()  # ordered by after_seconds (the model's Meta)
            )
        groups.append(
            core_router.Group(
                code=group.code,
                skill=routing.skill if routing else group.code,
                language=group.language or None,
                overflow=steps,
                callback_threshold_seconds=(
                    float(routing.callback_after_seconds)
                    if routing and routing.callback_after_seconds is not None
                    else None
                ),
            )
        )
        handle[group.code] = (
            float(routing.handle_seconds) if routing else core_router.DEFAULT_HANDLE_SECONDS
        )
    return groups, handle


def routing_state(*, now: datetime, exclude_call: str = "") -> RoutingState:
    """Everything routing needs to decide now, read in a handful of queries."""
    groups, handle = routing_groups()
    router = core_router.Router(
        groups, aging_seconds=telephony_settings()["AGING_SECONDS"], handle_seconds=handle
    )
    users: dict[str, User] = {}
    offered_calls: set[str] = set()
    loads = _loads()
    presences = (
        Presence.objects.exclude(state=AgentState.LOGGED_OUT)
        .select_related("agent")
        .prefetch_related("agent__skills")
    )
    for presence in presences:
        agent = presence.agent
        if not agent.is_active:
            continue
        key = str(agent.pk)
        users[key] = agent
        router.set_agent(
            core_router.AgentProfile(
                id=key,
                skills={s.skill: s.proficiency for s in agent.skills.all()},
                languages=frozenset(agent.languages or ()),
                capacity=core_presence.capacity_left(loads.get(agent.pk, {})),
            )
        )
        current = core_presence.effective(presence_state(presence), now=now)
        state = current.state
        if state == AgentState.READY:
            idle = core_presence.idle_since(current, now=now)
            router.set_state(key, AgentState.READY, now=idle.timestamp())
        elif state in (AgentState.WRAP_UP, AgentState.OFFERED, AgentState.BUSY):
            # Staffed but not free: to the router a wrap-up until the offer or wrap-up ends
            # (a call in progress: until after this decision), so it counts for the estimate.
            until = current.until if current.until and current.until > now else None
            router.set_state(
                key,
                AgentState.WRAP_UP,
                now=current.since.timestamp(),
                wrap_up_until=(until or now + timedelta(hours=1)).timestamp(),
            )
        else:
            router.set_state(key, state, now=current.since.timestamp(), reason=current.reason)
        if state == AgentState.OFFERED:
            offered_calls.add(presence.call_id)
    _load_queued_contacts(router)
    queued: dict[str, float] = {}
    waiting = Call.objects.filter(
        state=CallState.WAITING, queued_at__gte=now - STALE_WAITING
    ).values_list("call_id", "group_code", "queued_at")
    known = {g.code for g in groups}
    for call_id, group_code, queued_at in waiting:
        assert queued_at is not None  # the filter above takes none without
        queued[call_id] = queued_at.timestamp()
        if call_id == exclude_call or call_id in offered_calls or group_code not in known:
            continue
        router.enqueue(
            core_router.Contact(
                id=call_id,
                group=group_code,
                channel=core_router.Channel.CALL,
                queued_at=queued_at.timestamp(),
                language=None,
            )
        )
    return RoutingState(router=router, users=users, queued=queued)


def anyone_ready(*, now: datetime) -> bool:
    """Whether any agent is ready now: only a ready agent is given a new contact, so without
    one a routing round has nothing to hand out (and need not read the waiting)."""
    staffed = Presence.objects.exclude(state__in=[AgentState.LOGGED_OUT, AgentState.PAUSED])
    return any(
        core_presence.effective(presence_state(presence), now=now).state == AgentState.READY
        for presence in staffed.filter(agent__is_active=True)
    )


def _loads() -> dict[int, dict[str, int]]:
    """Chats and e-mails each agent holds now, by channel."""
    loads: dict[int, dict[str, int]] = {}
    held = QueuedContact.objects.filter(state=WorkState.ASSIGNED).exclude(
        channel=core_router.Channel.CALL
    )
    for agent_id, channel in held.values_list("agent_id", "channel"):
        per = loads.setdefault(agent_id, {})
        per[channel] = per.get(channel, 0) + 1
    return loads


QUEUED_PREFIX = "q:"


def queued_pk(contact_id: str) -> int | None:
    """The QueuedContact behind a router contact id, or None for a call."""
    if not contact_id.startswith(QUEUED_PREFIX):
        return None
    return int(contact_id.removeprefix(QUEUED_PREFIX))


def _load_queued_contacts(router: core_router.Router) -> None:
    waiting = QueuedContact.objects.filter(
        state=WorkState.WAITING, answer_group__active=True
    ).select_related("answer_group")
    for queued in waiting:
        router.enqueue(
            core_router.Contact(
                id=f"{QUEUED_PREFIX}{queued.pk}",
                group=queued.answer_group.code,
                channel=core_router.Channel(queued.channel),
                queued_at=queued.queued_at.timestamp(),
                priority=queued.priority,
                language=queued.language or None,
                callback=queued.callback,
            )
        )
