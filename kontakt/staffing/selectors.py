"""Reads for staffing: contact history, measured handling times, rosters and the plan.

Only supervisors and administrators plan staffing; every read here checks that first.
The arithmetic (forecast, Erlang, the plan) is in the pure core; this module gathers its
inputs from the database and hands them over.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import ExtractHour, ExtractMinute, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_plan_staffing
from kontakt.cases.models import Channel, Contact, Direction, Outcome
from kontakt.core import forecast as core_forecast
from kontakt.core import router as core_router
from kontakt.core.business_hours import OpeningHours, opening_periods
from kontakt.core.planning import PlanInterval, PlanTotals, ServiceGoal, plan_intervals, plan_totals
from kontakt.core.what_if import AgentKind
from kontakt.directory.models import AnswerGroup
from kontakt.directory.selectors import opening_hours, public_holidays
from kontakt.telephony import selectors as telephony_selectors
from kontakt.telephony.models import AgentSkill

from .models import RosterEntry, WhatIfRun

HISTORY_WEEKS = 8
HOLDOUT_WEEKS = 2
DEFAULT_AHT_SECONDS = 180.0
ALL_CHANNELS = ""


def require_planner(user: User) -> None:
    """Refuse anyone who may not plan staffing."""
    if not may_plan_staffing(user):
        raise PermissionDenied


def answer_groups(*, user: User) -> QuerySet[AnswerGroup]:
    require_planner(user)
    return AnswerGroup.objects.filter(active=True).order_by("name")


def answer_group_get(*, user: User, code: str) -> AnswerGroup | None:
    """The answer group with this code; None (the whole center) for an empty code."""
    require_planner(user)
    if not code:
        return None
    return AnswerGroup.objects.filter(code=code).first()


def local_datetime(day: date, at: time = time()) -> datetime:
    """The wall-clock time `at` of `day` in the center's time zone (midnight by default)."""
    return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


def interval_key(starts: datetime) -> str:
    """An interval's name in forms and error messages: its local start, minute precision."""
    return timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M")


def inbound_contacts(
    *, answer_group: AnswerGroup | None, channel: str, first: date, last: date
) -> QuerySet[Contact]:
    """Inbound contacts of an answer group (all groups when None) on a channel ("" = all),
    started on the local days `first` to `last`."""
    contacts = Contact.objects.filter(
        direction=Direction.INBOUND,
        started_at__gte=local_datetime(first),
        started_at__lt=local_datetime(last + timedelta(days=1)),
    )
    if channel:
        contacts = contacts.filter(channel=channel)
    if answer_group is not None:
        contacts = contacts.filter(case_type__answer_group=answer_group)
    return contacts


def contact_history(
    *,
    answer_group: AnswerGroup | None,
    channel: str,
    first: date,
    last: date,
    interval_seconds: int,
) -> core_forecast.History:
    """Contacts per local interval of each day from `first` to `last`, counted in the database."""
    tz = timezone.get_current_timezone()
    slots = core_forecast.slots_per_day(interval_seconds)
    counts: dict[date, list[float]] = defaultdict(lambda: [0.0] * slots)
    per_minute = (
        inbound_contacts(answer_group=answer_group, channel=channel, first=first, last=last)
        .annotate(
            day=TruncDate("started_at", tzinfo=tz),
            hour=ExtractHour("started_at", tzinfo=tz),
            minute=ExtractMinute("started_at", tzinfo=tz),
        )
        .values("day", "hour", "minute")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in per_minute:
        slot = (row["hour"] * 3600 + row["minute"] * 60) // interval_seconds
        counts[row["day"]][slot] += row["n"]
    return core_forecast.History(
        first=first, last=last, interval_seconds=interval_seconds, counts=dict(counts)
    )


def measured_aht(
    *, answer_group: AnswerGroup | None, channel: str, first: date, last: date
) -> float | None:
    """Mean handling time in seconds of the period's contacts that have an end, or None."""
    duration = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    mean = (
        inbound_contacts(answer_group=answer_group, channel=channel, first=first, last=last)
        .filter(ended_at__isnull=False)
        .aggregate(mean=Avg(duration))["mean"]
    )
    if mean is None:
        return None
    seconds = mean.total_seconds() if isinstance(mean, timedelta) else float(mean) / 1e6
    return seconds if seconds > 0 else None


@dataclass(frozen=True)
class FirstContactFigures:
    """How often contacts close at first contact, and how many repeat contacts the rest bring."""

    contacts: int
    closed_at_first_contact: float | None  # share
    repeats_per_unresolved: float | None  # linked contacts per contact not closed at first


def first_contact_figures(
    *, answer_group: AnswerGroup | None, channel: str, first: date, last: date
) -> FirstContactFigures:
    closed = [Outcome.CLOSED, Outcome.CLOSED_WITH_ORDER]
    figures = inbound_contacts(
        answer_group=answer_group, channel=channel, first=first, last=last
    ).aggregate(
        total=Count("id"),
        closed=Count("id", filter=Q(outcome__in=closed)),
        linked=Count("id", filter=Q(outcome=Outcome.LINKED)),
    )
    total, closed_count, linked = figures["total"], figures["closed"], figures["linked"]
    unresolved = total - closed_count - linked
    return FirstContactFigures(
        contacts=total,
        closed_at_first_contact=closed_count / total if total else None,
        repeats_per_unresolved=linked / unresolved if unresolved > 0 else None,
    )


def roster_entries(
    *, answer_group: AnswerGroup | None, starts: datetime, ends: datetime
) -> list[RosterEntry]:
    """Stored roster entries overlapping [starts, ends)."""
    entries = RosterEntry.objects.filter(starts_at__lt=ends, ends_at__gt=starts)
    if answer_group is None:
        entries = entries.filter(answer_group__isnull=True)
    else:
        entries = entries.filter(answer_group=answer_group)
    return list(entries.order_by("starts_at"))


def scheduled_in(entries: list[RosterEntry], starts: datetime, ends: datetime) -> int:
    """Agents on the roster for the whole of [starts, ends): the fewest of any part of it.

    A roster entered in 15-minute intervals and viewed by the hour counts the agents present
    the whole hour; a part of the interval no entry covers has nobody. `entries` are one
    group's, in order and without overlaps (as roster_save stores them), so the first that
    may overlap is found by bisection.
    """
    fewest: int | None = None
    covered = timedelta(0)
    first = bisect.bisect_right(entries, starts, key=lambda entry: entry.ends_at)
    for entry in entries[first:]:
        if entry.starts_at >= ends:
            break
        overlap = min(ends, entry.ends_at) - max(starts, entry.starts_at)
        if overlap > timedelta(0):
            covered += overlap
            fewest = entry.agents if fewest is None else min(fewest, entry.agents)
    if fewest is None or covered < ends - starts:
        return 0
    return fewest


@dataclass(frozen=True)
class PlanRow:
    """One open interval of a day's plan."""

    starts: datetime
    ends: datetime
    forecast: float
    actual: int | None  # contacts that came, for days already over
    plan: PlanInterval

    @property
    def key(self) -> str:
        return interval_key(self.starts)


@dataclass(frozen=True)
class PlanDay:
    day: date
    closed_reason: str  # empty when open
    rows: list[PlanRow]
    totals: PlanTotals
    actual_total: int | None


@dataclass(frozen=True)
class StaffingPlan:
    answer_group: AnswerGroup | None
    channel: str
    interval_seconds: int
    goal: ServiceGoal
    aht_seconds: float
    aht_measured: float | None
    history_first: date
    history_last: date
    days: list[PlanDay]
    totals: PlanTotals
    has_roster: bool
    accuracy: core_forecast.Accuracy | None
    accuracy_error: str

    @property
    def rows(self) -> list[PlanRow]:
        return [row for day in self.days for row in day.rows]


def history_window(first_day: date, *, today: date) -> tuple[date, date]:
    """The history a plan starting on `first_day` learns from: weeks before it, up to today."""
    last = min(today, first_day) - timedelta(days=1)
    return last - timedelta(days=7 * HISTORY_WEEKS - 1), last


def day_opening(day: date) -> tuple[time, time] | None:
    """When the center opens and closes on a day (first opening, last closing), or None."""
    periods = opening_periods(day, opening_hours())
    if not periods:
        return None
    return timezone.localtime(periods[0][0]).time(), timezone.localtime(periods[-1][1]).time()


def _closed_reason(day: date, hours: OpeningHours) -> str:
    if day in hours.closed_dates:
        names = public_holidays(
            country=settings.KONTAKT["HOLIDAY_COUNTRY"], years=range(day.year, day.year + 1)
        )
        return names.get(day) or _("Closed day")
    return pgettext("day", "Closed")


def staffing_plan(
    *,
    user: User,
    answer_group: AnswerGroup | None,
    days: list[date],
    interval_seconds: int,
    goal: ServiceGoal,
    channel: str = Channel.PHONE,
    aht_seconds: float | None = None,
    today: date | None = None,
) -> StaffingPlan:
    """The plan of some days: forecast, agents needed, the stored roster and its projection."""
    require_planner(user)
    today = today or timezone.localdate()
    hours = opening_hours()
    first, last = history_window(days[0], today=today)
    history = contact_history(
        answer_group=answer_group,
        channel=channel,
        first=first,
        last=last,
        interval_seconds=interval_seconds,
    )
    measured = measured_aht(answer_group=answer_group, channel=channel, first=first, last=last)
    aht = aht_seconds or measured or DEFAULT_AHT_SECONDS
    forecasts = core_forecast.forecast(history, days, hours, weeks=HISTORY_WEEKS)
    try:
        accuracy: core_forecast.Accuracy | None = core_forecast.backtest(
            history, hours, holdout_weeks=HOLDOUT_WEEKS, weeks=HISTORY_WEEKS
        )
        accuracy_error = ""
    except core_forecast.ForecastError as error:
        accuracy, accuracy_error = None, str(error)
    period_start = local_datetime(days[0])
    period_end = local_datetime(days[-1] + timedelta(days=1))
    entries = roster_entries(answer_group=answer_group, starts=period_start, ends=period_end)
    past_days = [d for d in days if d < today]
    actuals = (
        contact_history(
            answer_group=answer_group,
            channel=channel,
            first=past_days[0],
            last=past_days[-1],
            interval_seconds=interval_seconds,
        )
        if past_days
        else None
    )
    step = timedelta(seconds=interval_seconds)
    plan_days = []
    for day_forecast in forecasts:
        day = day_forecast.day
        midnight = local_datetime(day)
        open_slots = [i for i, is_open in enumerate(day_forecast.open) if is_open]
        starts = [timezone.localtime(midnight + i * step) for i in open_slots]
        calls = [day_forecast.calls[i] for i in open_slots]
        scheduled = [scheduled_in(entries, s, s + step) for s in starts] if entries else None
        intervals = plan_intervals(
            calls,
            interval_seconds=interval_seconds,
            aht_seconds=aht,
            goal=goal,
            scheduled=scheduled,
        )
        counted = None
        if actuals is not None and day < today:
            counted = actuals.counts.get(day) or [0.0] * len(day_forecast.calls)
        rows = [
            PlanRow(
                starts=s,
                ends=s + step,
                forecast=c,
                actual=None if counted is None else int(counted[i]),
                plan=interval,
            )
            for i, s, c, interval in zip(open_slots, starts, calls, intervals, strict=True)
        ]
        plan_days.append(
            PlanDay(
                day=day,
                closed_reason="" if open_slots else _closed_reason(day, hours),
                rows=rows,
                totals=plan_totals(intervals, interval_seconds=interval_seconds),
                actual_total=None if counted is None else int(math.fsum(counted)),
            )
        )
    return StaffingPlan(
        answer_group=answer_group,
        channel=channel,
        interval_seconds=interval_seconds,
        goal=goal,
        aht_seconds=aht,
        aht_measured=measured,
        history_first=first,
        history_last=last,
        days=plan_days,
        totals=plan_totals(
            [row.plan for day in plan_days for row in day.rows], interval_seconds=interval_seconds
        ),
        has_roster=bool(entries),
        accuracy=accuracy,
        accuracy_error=accuracy_error,
    )


def what_if_runs(*, user: User, limit: int = 10) -> list[WhatIfRun]:
    require_planner(user)
    return list(WhatIfRun.objects.select_related("answer_group", "created_by")[:limit])


def what_if_get(*, user: User, pk: int) -> WhatIfRun:
    require_planner(user)
    run = WhatIfRun.objects.select_related("answer_group").filter(pk=pk).first()
    if run is None:
        raise Http404("No such what-if run.")
    return run


@dataclass(frozen=True)
class RoutedCenter:
    """An answer group and those its overflow steps reach, as production routes them."""

    groups: list[core_router.Group]  # the answer group first
    answer_groups: dict[str, AnswerGroup]  # by code
    kinds: list[AgentKind]  # the active agents with skills, by skills and languages


def answer_group_names(codes: list[str]) -> dict[str, str]:
    """The answer groups' names by code (a run names its groups by code)."""
    return dict(AnswerGroup.objects.filter(code__in=codes).values_list("code", "name"))


def routed_center(*, user: User, answer_group: AnswerGroup) -> RoutedCenter:
    """The group's routing (skill, language, overflow steps), the groups its steps reach, in
    the order reached, and the agents' skills and languages: what a what-if simulates.

    The groups are those production's router is given (`telephony.selectors.
    routing_groups`); a step to a group that does not route (inactive) leads nowhere. An
    inactive group planned all the same asks for the skill named by its code.
    """
    require_planner(user)
    routed = {group.code: group for group in telephony_selectors.routing_groups()[0]}
    routed.setdefault(
        answer_group.code,
        core_router.Group(
            code=answer_group.code, skill=answer_group.code, language=answer_group.language or None
        ),
    )
    groups: list[core_router.Group] = []
    reached = [answer_group.code]
    for code in reached:  # grows as steps reach further groups
        group = routed[code]
        steps = tuple(step for step in group.overflow if step.group in routed)
        groups.append(replace(group, overflow=steps))
        reached += [step.group for step in steps if step.group not in reached]
    models = {group.code: group for group in AnswerGroup.objects.filter(code__in=reached)}
    profiles: dict[tuple[tuple[tuple[str, int], ...], tuple[str, ...]], int] = defaultdict(int)
    agents = User.objects.filter(is_active=True, skills__isnull=False).distinct()
    skills = Prefetch("skills", queryset=AgentSkill.objects.order_by("skill"))
    for agent in agents.prefetch_related(skills):
        key = (
            tuple((s.skill, s.proficiency) for s in agent.skills.all()),
            tuple(sorted(set(agent.languages or ()))),
        )
        profiles[key] += 1
    kinds = [
        AgentKind(skills=dict(skill_levels), languages=frozenset(languages), agents=count)
        for (skill_levels, languages), count in sorted(profiles.items())
    ]
    return RoutedCenter(
        groups=groups, answer_groups={code: models[code] for code in reached}, kinds=kinds
    )
