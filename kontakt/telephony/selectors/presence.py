"""Agents' states as desktops show them, and what a desktop opens for a caller."""

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy, pgettext_lazy

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_log_contacts
from kontakt.core import presence as core_presence
from kontakt.core.presence import AgentState
from kontakt.directory.models import AnswerGroup
from kontakt.residents.models import Resident
from kontakt.residents.selectors import normalize_phone

from ..models import ID_LENGTH, MAX_EXTERNAL_ID, Call, Presence, RoutingSettings
from .access import require_call_taker
from .config import telephony_settings


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


def presence_state(presence: Presence) -> core_presence.Presence:
    """A stored state as the core's presence rules read it."""
    return core_presence.Presence(
        state=AgentState(presence.state),
        since=presence.since,
        reason=presence.reason,
        idle_since=presence.idle_since,
        until=presence.until,
        call_id=presence.call_id,
    )


def effective_state(presence: Presence, *, now: datetime) -> AgentState:
    """The state as it is now: a wrap-up or an unanswered offer past its time is ready."""
    return core_presence.effective(presence_state(presence), now=now).state


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
    current = core_presence.effective(presence_state(presence), now=now)
    return {
        "type": "presence",
        "state": current.state.value,
        "label": str(STATE_LABELS[current.state]),
        "reason": current.reason,
        "since": current.since.isoformat(),
        "until": current.until.isoformat() if current.until else None,
        "call_id": current.call_id if current.state != AgentState.READY else "",
    }


def wrap_up_seconds_by_group() -> dict[int | None, int]:
    """Each answer group's wrap-up time (groups without routing settings are left out)."""
    return dict(RoutingSettings.objects.values_list("answer_group_id", "wrap_up_seconds"))


def wrap_up_seconds(group: AnswerGroup | None) -> int:
    """The group's wrap-up time, or the default for groups without routing settings."""
    fallback = telephony_settings()["WRAP_UP_SECONDS"]
    return wrap_up_seconds_by_group().get(group.pk, fallback) if group else fallback


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
        query = urlencode({"resident": str(resident.pk), "call": call_id})
        return f"{reverse('desk:desk')}?{query}"
    return f"{reverse('desk:resident_new')}?{urlencode({'phone': caller, 'call': call_id})}"


def is_switchboard_call(call: Call) -> bool:
    """A call to the switchboard (its group asks for the switchboard's skill): it opens
    the operator's console instead of a resident."""
    group = call.answer_group
    if group is None:
        return False
    routing = RoutingSettings.objects.filter(answer_group=group).only("skill").first()
    return routing is not None and routing.skill == settings.KONTAKT["SWITCHBOARD"]["SKILL"]


def screen_pop_message(
    call: Call, *, agent: User, residents: dict[str, Resident | None] | None = None
) -> dict[str, Any]:
    """What the answering agent's desktop opens: the caller's resident, or a new one."""
    if residents is None:
        residents = residents_by_callers({call.caller})
    resident = residents.get(call.caller)
    url = caller_url(resident=resident, caller=call.caller, call_id=call.call_id)
    if is_switchboard_call(call):
        url = f"{reverse('switchboard:console')}?{urlencode({'call': call.call_id})}"
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
    if not call_id or not may_log_contacts(user) or "\x00" in call_id:
        return None
    calls = Call.objects.select_related("answer_group")
    found = calls.filter(call_id=call_id[:ID_LENGTH]).first()
    if found is None and len(call_id) <= MAX_EXTERNAL_ID:
        # An integration may name the call as its exchange does (without "N|"): the
        # latest such call of any exchange.
        scoped = rf"^[0-9]+\|{re.escape(call_id)}$"
        found = calls.filter(call_id__regex=scoped).order_by("-started_at").first()
    return found


STATE_LABELS: dict[AgentState, Any] = {
    AgentState.LOGGED_OUT: gettext_lazy("Logged out"),
    AgentState.READY: gettext_lazy("Ready"),
    AgentState.OFFERED: gettext_lazy("Ringing"),
    AgentState.BUSY: gettext_lazy("On a call"),
    AgentState.WRAP_UP: gettext_lazy("Wrap-up"),
    AgentState.PAUSED: pgettext_lazy("agent state", "Paused"),
}
