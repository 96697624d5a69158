"""Writes for staffing: storing a roster, starting a what-if run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.directory.models import AnswerGroup

from .models import RosterEntry, WhatIfRun
from .selectors import require_planner
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
            errors[slot.starts.isoformat()] = _("This interval is outside the period saved.")
        elif not 0 <= slot.agents <= MAX_AGENTS:
            errors[slot.starts.isoformat()] = _(
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


def what_if_start(
    *,
    by: User,
    answer_group: AnswerGroup | None,
    day: date,
    interval_minutes: int,
    parameters: dict[str, object],
) -> WhatIfRun:
    """Store a what-if question and queue its simulation once the row is committed."""
    require_planner(by)
    with transaction.atomic():
        run = WhatIfRun.objects.create(
            answer_group=answer_group,
            day=day,
            interval_minutes=interval_minutes,
            parameters=parameters,
            created_by=by,
        )
        transaction.on_commit(lambda: what_if_simulate.enqueue(run_id=run.pk))
    return run
