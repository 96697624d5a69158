"""Reads of telephony: agents' states, the routing picture, IVR menus, crisis mode, and the
live and historical service level. Access checks for these pages and endpoints live here."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_feed_telephony, may_take_calls, may_watch_queues
from kontakt.core import business_hours, routing
from kontakt.core import router as core_router
from kontakt.core.call_events import CallState, CallSummary
from kontakt.core.call_stats import ServiceLevel, by_interval, service_level
from kontakt.core.router import AgentState
from kontakt.directory.models import AnswerGroup
from kontakt.directory.selectors import opening_hours
from kontakt.residents.models import Resident
from kontakt.residents.selectors import normalize_phone

from .models import (
    Call,
    CrisisSwitch,
    Exchange,
    OverflowStep,
    PhoneNumber,
    Presence,
    QueuedContact,
    RoutingSettings,
    WorkState,
)

# Calls still "waiting" after this long lost their hang-up event; routing passes them over.
STALE_WAITING = timedelta(hours=2)


def telephony_settings() -> dict[str, Any]:
    """KONTAKT["TELEPHONY"]: short abandon, service-level times, ring, wrap-up, aging."""
    from django.conf import settings

    return settings.KONTAKT["TELEPHONY"]


def require_watcher(user: User) -> None:
    """Supervisors and administrators watch the queues and switch crisis mode."""
    if not may_watch_queues(user):
        raise PermissionDenied(_("Only supervisors see the queues live."))


def require_feeder(auth: object) -> Exchange | None:
    """An exchange posting (returned), or an administrator trying it out (None); anyone
    else may not post what an exchange posts."""
    if isinstance(auth, Exchange):
        return auth
    if isinstance(auth, User) and may_feed_telephony(auth):
        return None
    raise PermissionDenied(_("Only a telephone exchange may post this."))


def require_call_taker(user: User) -> None:
    if not may_take_calls(user):
        raise PermissionDenied(_("Only agents who take calls have a state."))


# Agents -----------------------------------------------------------------------------------


def agents_by_exchange_name(names: Iterable[str]) -> dict[str, User]:
    """Staff users by how an exchange names them (username or phone extension), casefolded."""
    wanted = {n.strip() for n in names if n and n.strip()}
    if not wanted:
        return {}
    lowered = {name.casefold() for name in wanted}
    found: dict[str, User] = {}
    users = list(
        User.objects.annotate(username_lower=Lower("username")).filter(
            Q(username_lower__in=lowered) | Q(phone__in=wanted), is_active=True
        )
    )
    for user in users:
        if user.phone and user.phone in wanted:
            found[user.phone.casefold()] = user
    for user in users:  # a username wins over someone's extension
        found[user.username.casefold()] = user
    return found


def effective_state(presence: Presence, *, now: datetime) -> AgentState:
    """The state as it is now: a wrap-up or an unanswered offer past its time is ready."""
    state = AgentState(presence.state)
    ended = presence.until is not None and presence.until <= now
    if state in (AgentState.WRAP_UP, AgentState.OFFERED) and ended:
        return AgentState.READY
    return state


def presence_of(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """The user's own state for their desktop."""
    require_call_taker(user)
    presence = Presence.objects.filter(agent=user).first()
    if presence is None:
        return {
            "type": "presence",
            "state": AgentState.LOGGED_OUT.value,
            "label": str(STATE_LABELS[AgentState.LOGGED_OUT]),
            "reason": "",
            "since": None,
            "until": None,
            "call_id": "",
        }
    return presence_message(presence, now=now)


def presence_message(presence: Presence, *, now: datetime | None = None) -> dict[str, Any]:
    """An agent's state as their desktop shows it (and as it is pushed to it)."""
    now = now or timezone.now()
    state = effective_state(presence, now=now)
    until = presence.until if state == AgentState(presence.state) else None
    return {
        "type": "presence",
        "state": state.value,
        "label": str(STATE_LABELS[state]),
        "reason": presence.reason,
        "since": (
            presence.until if until is None and presence.until else presence.since
        ).isoformat(),
        "until": until.isoformat() if until else None,
        "call_id": presence.call_id if state != AgentState.READY else "",
    }


def wrap_up_seconds_by_group() -> dict[int | None, int]:
    """Each answer group's wrap-up time (groups without routing settings are left out)."""
    return dict(RoutingSettings.objects.values_list("answer_group_id", "wrap_up_seconds"))


def wrap_up_seconds(group: AnswerGroup | None) -> int:
    """The group's wrap-up time, or the default for groups without routing settings."""
    fallback = telephony_settings()["WRAP_UP_SECONDS"]
    return wrap_up_seconds_by_group().get(group.pk, fallback) if group else fallback


def resident_by_caller(caller: str) -> Resident | None:
    """The resident whose phone number called, when exactly one has it."""
    return residents_by_callers({caller}).get(caller)


def residents_by_callers(callers: Iterable[str]) -> dict[str, Resident | None]:
    """For each calling number, the one resident who has it (None: none, or several)."""
    numbers = {c: normalize_phone(c) for c in callers if c}
    wanted = {n for n in numbers.values() if len(n) >= 6}
    holders: dict[str, set[int]] = {}
    residents: dict[int, Resident] = {}
    if wanted:
        found = Resident.objects.filter(phones__number__in=wanted).annotate(
            called_from=F("phones__number")
        )
        for resident in found:
            holders.setdefault(resident.called_from, set()).add(resident.pk)
            residents[resident.pk] = resident
    return {
        caller: residents[next(iter(ids))] if len(ids := holders.get(number, set())) == 1 else None
        for caller, number in numbers.items()
    }


def caller_url(*, resident: Resident | None, caller: str, call_id: str) -> str:
    """Where the desktop opens a call: the caller's resident, or a new one with the number."""
    if resident is not None:
        return f"{reverse('desk:desk')}?{urlencode({'resident': resident.pk, 'call': call_id})}"
    return f"{reverse('desk:resident_new')}?{urlencode({'phone': caller, 'call': call_id})}"


def screen_pop_message(
    call: Call, *, agent: User, residents: dict[str, Resident | None] | None = None
) -> dict[str, Any]:
    """What the answering agent's desktop opens: the caller's resident, or a new one."""
    if residents is None:
        residents = residents_by_callers({call.caller})
    resident = residents.get(call.caller)
    url = caller_url(resident=resident, caller=call.caller, call_id=call.call_id)
    return {
        "type": "screen_pop",
        "call_id": call.call_id,
        "caller": call.caller,
        "answer_group": call.answer_group.name if call.answer_group else call.group_code,
        "resident": {"id": resident.pk, "name": resident.name} if resident else None,
        "url": url,
    }


def call_for_contact(*, user: User, call_id: str) -> Call | None:
    """The call a contact is logged about, when the user may log contacts and it exists."""
    from kontakt.accounts.selectors import may_log_contacts

    if not call_id or not may_log_contacts(user):
        return None
    return Call.objects.select_related("answer_group").filter(call_id=call_id[:100]).first()


def _labels() -> dict[AgentState, Any]:
    from django.utils.translation import gettext_lazy, pgettext_lazy

    return {
        AgentState.LOGGED_OUT: gettext_lazy("Logged out"),
        AgentState.READY: gettext_lazy("Ready"),
        AgentState.OFFERED: gettext_lazy("Ringing"),
        AgentState.BUSY: gettext_lazy("On a call"),
        AgentState.WRAP_UP: gettext_lazy("Wrap-up"),
        AgentState.PAUSED: pgettext_lazy("agent state", "Paused"),
    }


STATE_LABELS = _labels()


# Routing ----------------------------------------------------------------------------------


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
        handle[group.code] = float(routing.handle_seconds if routing else 180)
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
                capacity=_capacity_left(loads.get(agent.pk, {})),
            )
        )
        state = effective_state(presence, now=now)
        if state == AgentState.READY:
            idle = presence.idle_since or presence.since
            if presence.until is not None and presence.until <= now:
                idle = max(idle, presence.until)
            router.set_state(key, AgentState.READY, now=idle.timestamp())
        elif state in (AgentState.WRAP_UP, AgentState.OFFERED, AgentState.BUSY):
            # Staffed but not free: to the router a wrap-up until the offer or wrap-up ends
            # (a call in progress: until after this decision), so it counts for the estimate.
            until = presence.until if presence.until and presence.until > now else None
            router.set_state(
                key,
                AgentState.WRAP_UP,
                now=presence.since.timestamp(),
                wrap_up_until=(until or now + timedelta(hours=1)).timestamp(),
            )
        else:
            router.set_state(key, state, now=presence.since.timestamp(), reason=presence.reason)
        if state == AgentState.OFFERED:
            offered_calls.add(presence.call_id)
    _load_queued_contacts(router)
    queued: dict[str, float] = {}
    waiting = Call.objects.filter(
        state=CallState.WAITING, queued_at__gte=now - STALE_WAITING
    ).values_list("call_id", "group_code", "queued_at")
    known = {g.code for g in groups}
    for call_id, group_code, queued_at in waiting:
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


def _capacity_left(load: dict[str, int]) -> dict[core_router.Channel, int]:
    # What an agent holding these chats and e-mails may still take; a call needs a free
    # agent, so one holding anything takes no call.
    full = core_router.DEFAULT_CAPACITY
    return {
        core_router.Channel.CALL: 0 if any(load.values()) else full[core_router.Channel.CALL],
        core_router.Channel.CHAT: max(0, full[core_router.Channel.CHAT] - load.get("chat", 0)),
        core_router.Channel.EMAIL: max(0, full[core_router.Channel.EMAIL] - load.get("email", 0)),
    }


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


def work_of(user: User) -> list[QueuedContact]:
    """The callbacks, chats and e-mails the agent holds now, each with where to open it."""
    held = list(
        QueuedContact.objects.filter(agent=user, state=WorkState.ASSIGNED)
        .select_related("answer_group")
        .order_by("assigned_at")
    )
    residents = residents_by_callers({q.caller for q in held if q.callback})
    for queued in held:
        queued.open_url = work_message(queued, residents=residents)["url"]  # type: ignore[attr-defined]
    return held


def work_visible_to(user: User) -> QuerySet[QueuedContact]:
    """What the user may close: their own, or any for a supervisor."""
    if may_watch_queues(user):
        return QueuedContact.objects.all()
    return QueuedContact.objects.filter(agent=user)


def work_message(
    queued: QueuedContact, *, residents: dict[str, Resident | None] | None = None
) -> dict[str, Any]:
    """A callback, chat or e-mail handed to the agent, as their desktop shows it."""
    if queued.callback:
        if residents is None:
            residents = residents_by_callers({queued.caller})
        resident = residents.get(queued.caller)
        url = caller_url(resident=resident, caller=queued.caller, call_id=queued.reference)
    else:
        url = queued.url
    return {
        "type": "work_offer",
        "id": queued.pk,
        "channel": queued.channel,
        "callback": queued.callback,
        "subject": queued.subject or queued.caller,
        "answer_group": queued.answer_group.name,
        "url": url,
        "done_url": reverse("telephony:work_done", args=[queued.pk]),
    }


# IVR --------------------------------------------------------------------------------------


def ivr_menu(*, number: str, now: datetime | None = None) -> dict[str, Any]:
    """What the exchange plays and offers on a number right now."""
    now = now or timezone.now()
    wanted = number.strip().replace(" ", "")
    phone = (
        PhoneNumber.objects.select_related("default_group")
        .filter(number__in={wanted, normalize_phone(wanted)})
        .first()
    )
    if phone is None:
        raise Http404
    crisis = crisis_current()
    hours = opening_hours(today=now.date())
    # Without any opening hours configured the center is taken to be open, not closed for good.
    configured = any(hours.weekly.values())
    is_open = business_hours.is_open(now, hours) if configured else True
    if crisis is not None:
        greeting = phone.crisis_message or crisis.message
    elif is_open:
        greeting = phone.greeting
    else:
        greeting = phone.closed_message
    options = [
        {"digit": o.digit, "label": o.label, "answer_group": o.answer_group.code}
        for o in phone.menu.select_related("answer_group").order_by("digit")
    ]
    return {
        "number": phone.number,
        "name": phone.name,
        "open": is_open,
        "crisis": crisis is not None,
        "greeting": greeting,
        "closed_message": "" if is_open else phone.closed_message,
        "options": options if is_open else [],
        "default_answer_group": phone.default_group.code,
        "next_opening": None if is_open else _next_opening(now, hours),
    }


def _next_opening(now: datetime, hours: Any) -> str | None:
    try:
        return business_hours.next_opening(now, hours).isoformat()
    except ValueError:  # no opening within the core's horizon
        return None


def answer_group_for(*, number: str, digit: str) -> AnswerGroup | None:
    """The group a digit on a number leads to, or the number's group without a choice."""
    phone = PhoneNumber.objects.filter(number__in={number.strip(), normalize_phone(number)}).first()
    if phone is None:
        return None
    option = (
        phone.menu.filter(digit=digit).select_related("answer_group").first() if digit else None
    )
    return option.answer_group if option else phone.default_group


# Crisis mode ------------------------------------------------------------------------------


def crisis_current() -> CrisisSwitch | None:
    """The switch that put the center in crisis mode, or None when it is not."""
    last = CrisisSwitch.objects.select_related("article", "by").order_by("-at", "-id").first()
    return last if last is not None and last.on else None


def crisis_message(switch: CrisisSwitch | None) -> dict[str, Any]:
    """Crisis mode as every desktop shows it (and as it is pushed to them)."""
    on = switch is not None and switch.on
    article = switch.article if on and switch is not None else None
    return {
        "type": "crisis",
        "on": on,
        "message": switch.message if on and switch is not None else "",
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": reverse("knowledge:article", args=[article.pk]),
        }
        if article is not None
        else None,
    }


CRISIS_CACHE_KEY = "telephony:crisis:v1"


def crisis_shown() -> dict[str, Any]:
    """Crisis mode as the pages show it, from the cache (switching renews it)."""
    from django.core.cache import cache

    shown = cache.get(CRISIS_CACHE_KEY)
    if shown is None:
        shown = crisis_message(crisis_current())
        cache.set(CRISIS_CACHE_KEY, shown, timeout=300)
    return shown


def crisis_log(user: User, *, limit: int = 50) -> QuerySet[CrisisSwitch]:
    require_watcher(user)
    return CrisisSwitch.objects.select_related("article", "by").order_by("-at", "-id")[:limit]


# Statistics -------------------------------------------------------------------------------


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
    calls = Call.objects.filter(queued_at__gte=start, queued_at__lt=end)
    if group is not None:
        calls = calls.filter(group_code=group.code)
    return calls.only(*SUMMARY_COLUMNS)


def thresholds() -> tuple[int, ...]:
    return tuple(telephony_settings()["SERVICE_LEVEL_SECONDS"])


def service_level_between(
    user: User, *, start: datetime, end: datetime, group: AnswerGroup | None = None
) -> ServiceLevel:
    """Service level of the calls queued in [start, end), per the definitions of DESIGN.md."""
    require_watcher(user)
    calls = calls_queued_between(start=start, end=end, group=group)
    return service_level((summary_of(c) for c in calls.iterator()), thresholds=thresholds())


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
    """The wallboard: per answer group waiting, longest wait, agents by state and today's
    service level; the same figures for the whole center (`calls`: today's, if read)."""
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
    total: ServiceLevel | None = None
    for group in groups:
        figures = service_level(today.get(group.code, []), thresholds=th)
        total = figures if total is None else total.merge(figures)
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
    total = total or service_level([], thresholds=th)
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
