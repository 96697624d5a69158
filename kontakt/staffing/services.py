"""Writes for staffing: storing a roster, starting a what-if run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.core.planning import on_phones
from kontakt.core.what_if import first_contact_factor, reshape_calls
from kontakt.directory.models import AnswerGroup

from .models import RosterEntry, WhatIfRun
from .selectors import (
    FirstContactFigures,
    PlanRow,
    RoutedCenter,
    StaffingPlan,
    interval_key,
    local_datetime,
    require_planner,
    routed_center,
    staffing_plan,
)
from .tasks import what_if_simulate

MAX_AGENTS = 2000


@dataclass(frozen=True)
class RosterSlot:
    starts: datetime
    ends: datetime
    agents: int


def roster_save(
    *,
    by: User,
    answer_group: AnswerGroup | None,
    starts: datetime,
    ends: datetime,
    slots: list[RosterSlot],
) -> int:
    """Replace the roster of [starts, ends) with `slots`; every slot checked before any write."""
    require_planner(by)
    errors = {}
    for slot in slots:
        if not starts <= slot.starts < slot.ends <= ends:
            errors[interval_key(slot.starts)] = _("This interval is outside the period saved.")
        elif not 0 <= slot.agents <= MAX_AGENTS:
            errors[interval_key(slot.starts)] = _(
                "Agents must be a whole number from 0 to %(max)d."
            ) % {"max": MAX_AGENTS}
    if errors:
        raise ValidationError(errors)
    group_q = Q(answer_group__isnull=True) if answer_group is None else Q(answer_group=answer_group)
    with transaction.atomic():
        RosterEntry.objects.filter(group_q, starts_at__lt=ends, ends_at__gt=starts).delete()
        RosterEntry.objects.bulk_create(
            RosterEntry(
                answer_group=answer_group,
                starts_at=slot.starts,
                ends_at=slot.ends,
                agents=slot.agents,
                updated_by=by,
            )
            for slot in slots
        )
    return len(slots)


# Where the history cannot tell the share closed at first contact, assume the common target.
ASSUMED_CLOSED_AT_FIRST_CONTACT = 0.7


@dataclass(frozen=True)
class WhatIfChanges:
    """What a what-if changes in a day of the plan; agents by interval start."""

    agents: dict[datetime, int]
    aht_seconds: float
    closed_at_first_contact: float  # share
    patience_seconds: float | None
    opens: time
    closes: time


def _day_grid(
    plan: StaffingPlan, opens: time, closes: time
) -> tuple[list[datetime], list[bool], list[bool]]:
    """The day's intervals from the earlier opening to the later closing, old and new open."""
    day = plan.days[0].day
    step = timedelta(seconds=plan.interval_seconds)
    current = [row.starts for row in plan.days[0].rows]
    new_start, new_end = local_datetime(day, opens), local_datetime(day, closes)
    midnight = local_datetime(day)
    first = min([*current, new_start])
    first = midnight + step * ((first - midnight) // step)
    last = max([*(s + step for s in current), new_end])
    grid = []
    at = first
    while at < last:
        grid.append(timezone.localtime(at))
        at += step
    open_before = [at in current for at in grid]
    open_after = [new_start < at + step and at < new_end for at in grid]
    return grid, open_before, open_after


def _nearest(typed: dict[datetime, int], at: datetime) -> int:
    if not typed:
        return 0
    return typed[min(typed, key=lambda starts: (abs(starts - at), starts))]


def _planned_agents(row: PlanRow) -> int:
    return row.plan.scheduled if row.plan.scheduled is not None else row.plan.needed_scheduled


def _center_parameters(
    center: RoutedCenter, others: dict[str, StaffingPlan], grid: list[datetime]
) -> dict[str, Any]:
    """The answer groups as routed and the agents by kind, JSON-ready; the other groups'
    own days (forecast, and roster or agents to schedule) on the what-if's intervals."""
    other_days = {}
    for code, other in others.items():
        by_start = {row.starts: row for row in other.days[0].rows}
        scheduled = [_planned_agents(by_start[at]) if at in by_start else 0 for at in grid]
        other_days[code] = {
            "calls": [by_start[at].forecast if at in by_start else 0.0 for at in grid],
            "scheduled": scheduled,
            "on_phones": [on_phones(a, other.goal.shrinkage) for a in scheduled],
        }
    return {
        "groups": [
            {
                "code": group.code,
                "skill": group.skill,
                "language": group.language,
                "overflow": [
                    {"group": step.group, "after_seconds": step.after_seconds}
                    for step in group.overflow
                ],
            }
            for group in center.groups
        ],
        "kinds": [
            {
                "skills": dict(kind.skills),
                "languages": sorted(kind.languages),
                "agents": kind.agents,
            }
            for kind in center.kinds
        ],
        "others": other_days,
        "aging_seconds": settings.KONTAKT["TELEPHONY"]["AGING_SECONDS"],
    }


def what_if_parameters(
    *,
    plan: StaffingPlan,
    changes: WhatIfChanges,
    first_contact: FirstContactFigures,
    center: RoutedCenter | None = None,
    others: dict[str, StaffingPlan] | None = None,
) -> dict[str, Any]:
    """The inputs of both sides of a what-if on the plan's first day, ready to simulate.

    The plan side has the forecast, the roster (or the agents to schedule where none is
    stored), the measured AHT and the goal's patience; the what-if side has the changes.
    Opened intervals take the agents of the nearest interval typed. With `center` (a plan of
    one answer group) the day is simulated on the groups as routed: the group itself, the
    groups its overflow steps reach with their own days (`others`, the same on both sides),
    and the agents by their skills and languages.
    """
    day = plan.days[0]
    goal = plan.goal
    grid, open_before, open_after = _day_grid(plan, changes.opens, changes.closes)
    by_start = {row.starts: row for row in day.rows}

    def planned(at: datetime) -> int:
        row = by_start.get(at)
        return 0 if row is None else _planned_agents(row)

    calls_before = [by_start[at].forecast if at in by_start else 0.0 for at in grid]
    plan_agents = [planned(at) for at in grid]
    what_if_agents = [
        0 if not is_open else changes.agents.get(at, _nearest(changes.agents, at))
        for at, is_open in zip(grid, open_after, strict=True)
    ]
    closed_before = first_contact.closed_at_first_contact
    factor = first_contact_factor(
        closed_before=(
            closed_before if closed_before is not None else ASSUMED_CLOSED_AT_FIRST_CONTACT
        ),
        closed_after=changes.closed_at_first_contact,
        repeats=first_contact.repeats_per_unresolved or 0.0,
    )
    calls_after = [c * factor for c in reshape_calls(calls_before, open_before, open_after)]
    parameters = {
        "labels": [at.strftime("%H:%M") for at in grid],
        "answer_times": [goal.answer_seconds],
        "seed": day.day.toordinal(),
        "shrinkage": goal.shrinkage,
        "first_contact": {
            "measured": closed_before,
            "repeats_per_unresolved": first_contact.repeats_per_unresolved,
            "factor": factor,
        },
        "plan": {
            "calls": calls_before,
            "scheduled": plan_agents,
            "on_phones": [on_phones(a, goal.shrinkage) for a in plan_agents],
            "aht_seconds": plan.aht_seconds,
            "patience_seconds": goal.patience_seconds,
            "open": open_before,
        },
        "what_if": {
            "calls": calls_after,
            "scheduled": what_if_agents,
            "on_phones": [on_phones(a, goal.shrinkage) for a in what_if_agents],
            "aht_seconds": changes.aht_seconds,
            "patience_seconds": changes.patience_seconds,
            "closed_at_first_contact": changes.closed_at_first_contact,
            "opens": changes.opens.strftime("%H:%M"),
            "closes": changes.closes.strftime("%H:%M"),
            "open": open_after,
        },
    }
    if center is not None:
        parameters["center"] = _center_parameters(center, others or {}, grid)
    return parameters


def what_if_start(
    *,
    by: User,
    plan: StaffingPlan,
    changes: WhatIfChanges,
    first_contact: FirstContactFigures,
    query: str,
) -> WhatIfRun:
    """Store a what-if on the plan's first day and queue its simulation once committed.

    `query` is the plan page's query string, kept so the run's page can link back to it.
    """
    require_planner(by)
    center = others = None
    if plan.answer_group is not None:
        center = routed_center(user=by, answer_group=plan.answer_group)
        others = {
            code: staffing_plan(
                user=by,
                answer_group=group,
                days=[plan.days[0].day],
                interval_seconds=plan.interval_seconds,
                goal=plan.goal,
                channel=plan.channel,
            )
            for code, group in center.answer_groups.items()
            if group != plan.answer_group
        }
    parameters = what_if_parameters(
        plan=plan, changes=changes, first_contact=first_contact, center=center, others=others
    )
    parameters["query"] = query
    with transaction.atomic():
        run = WhatIfRun.objects.create(
            answer_group=plan.answer_group,
            day=plan.days[0].day,
            interval_minutes=plan.interval_seconds // 60,
            parameters=parameters,
            created_by=by,
        )
        transaction.on_commit(lambda: what_if_simulate.enqueue(run_id=run.pk))
    return run
