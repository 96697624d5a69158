"""Seeding the switchboard's demo: Sjöstad's directory (units, shared functions, about
5,000 employees), their calendars and absences, and a month of switchboard history.

Everything is keyed by "demo-…" external ids, call ids and event ids, so a second run adds
nothing. The employees are written in bulk (the versioned `employee_save` writes one entry
at a time, too slow for thousands); each gets the search text and a first version as an
HR import would.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from tqdm import tqdm

from kontakt.accounts.models import User
from kontakt.core.business_hours import opening_periods
from kontakt.core.call_events import CallEvent, EventType
from kontakt.directory.calendars import feed_read
from kontakt.directory.models import (
    Absence,
    AbsenceReason,
    CalendarFeed,
    Department,
    Employee,
    EmployeeChangeSource,
    EmployeeVersion,
    Unit,
    UnitHours,
    UnitKind,
)
from kontakt.directory.search import index_employees
from kontakt.directory.selectors import opening_hours
from kontakt.directory.services import EMPLOYEE_FIELDS, employee_search_text
from kontakt.switchboard.models import (
    CallBack,
    Message,
    MessageState,
    Transfer,
    TransferState,
)
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import Call, EventSource

from . import calendars
from . import municipality as m
from . import people as p

UNIT_PREFIX = "demo-unit-"
FEED_SHARE = 0.10  # of people with a published calendar
ABSENCE_SHARE = 0.03  # of people with an absence entered by hand, with a substitute
HISTORY_PREFIX = "demo-sb-"


# The directory --------------------------------------------------------------------------


def seed_units() -> dict[str, Unit]:
    """The units and shared functions of `people.UNITS`, with numbers and hours (update or
    create); returns them by their plan's key."""
    departments = {d.code: d for d in Department.objects.all()}
    units: dict[str, Unit] = {}
    for plan in p.UNITS:
        unit, _created = Unit.objects.update_or_create(
            department=departments[plan.department],
            name=plan.name,
            defaults={
                "kind": UnitKind.FUNCTION if plan.kind == "function" else UnitKind.UNIT,
                "external_id": UNIT_PREFIX + plan.key,
                "phone": p.unit_phone(plan),
                "email": f"{plan.key}@{p.DOMAIN}",
                "keywords": ", ".join(plan.keywords),
            },
        )
        units[plan.key] = unit
    with_hours = set(UnitHours.objects.values_list("unit_id", flat=True))
    hours = []
    for plan in p.UNITS:
        unit = units[plan.key]
        if unit.pk in with_hours:
            continue
        for day, opens, closes in p.OFFICE:
            hours.append(UnitHours(unit=unit, kind="open", weekday=day, opens=opens, closes=closes))
        for day, opens, closes in plan.phone_hours:
            hours.append(
                UnitHours(unit=unit, kind="phone", weekday=day, opens=opens, closes=closes)
            )
    UnitHours.objects.bulk_create(hours)
    return units


def seed_directory(*, count: int = 5000, seed: int = 2026, progress: bool = True) -> int:
    """About `count` employees in Sjöstad's units, the staff users' own entries linked to
    them, and a head who is each unit's contact; returns how many entries were new."""
    units = seed_units()
    planned = p.people(count, seed=seed)
    known = set(
        Employee.objects.filter(external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    users = {u.username: u for u in User.objects.filter(username__in=p.STAFF_ENTRIES)}
    linked = set(Employee.objects.exclude(user=None).values_list("user_id", flat=True))
    now = timezone.now()
    new = []
    for person in planned:
        if person.key in known:
            continue
        user = users.get(person.username)
        employee = Employee(
            external_id=person.key,
            user_name=person.email,
            given_name=person.given_name,
            family_name=person.family_name,
            display_name=person.display_name,
            title=person.title,
            unit=units[person.unit],
            direct_number=person.direct_number,
            mobile=person.mobile,
            email=person.email,
            languages=list(person.languages),
            keywords=person.keywords,
            user=user if user is not None and user.pk not in linked else None,
        )
        employee.search_text = employee_search_text(employee)
        new.append(employee)
    batch = 1000
    with tqdm(total=len(new), desc="Employees", unit=" people", disable=not progress) as bar:
        for start in range(0, len(new), batch):
            Employee.objects.bulk_create(new[start : start + batch])
            bar.update(len(new[start : start + batch]))
    if new:
        created = list(Employee.objects.filter(external_id__in=[e.external_id for e in new]))
        EmployeeVersion.objects.bulk_create(
            [
                EmployeeVersion(
                    employee=employee,
                    at=now,
                    source=EmployeeChangeSource.HR_IMPORT,
                    changes={field: [None, getattr(employee, field)] for field in EMPLOYEE_FIELDS},
                )
                for employee in created
            ],
            batch_size=batch,
        )
        # employee_save indexes one entry's words; these bulk rows are indexed at once.
        index_employees([employee.pk for employee in created])
    heads: dict[str, str] = {}
    for person in planned:
        heads.setdefault(person.unit, person.key)
    by_key = dict(
        Employee.objects.filter(external_id__in=heads.values()).values_list("external_id", "pk")
    )
    for key, plan_key in ((heads[k], k) for k in heads):
        Unit.objects.filter(pk=units[plan_key].pk, contact=None).update(contact_id=by_key[key])
    return len(new)


# Calendars and absences -------------------------------------------------------------------


def next_monday(now: datetime) -> datetime:
    """Next Monday 07:00 in the demo's time zone (a week on when today is Monday)."""
    today = timezone.localdate(now)
    monday = today + timedelta(days=7 - today.weekday())
    return timezone.make_aware(datetime.combine(monday, time(7)))


def seed_absences(*, now: datetime, seed: int = 2026, progress: bool = True) -> dict[str, int]:
    """Calendar files for a tenth of the people and some units (made around `now` once, then
    read when the reader is there), and absences entered by hand with a substitute for a
    few percent, Bjørn Kristiansen's until next Monday among them (replaced each run)."""
    rng = random.Random(f"absences-{seed}")
    employees = list(
        Employee.objects.filter(external_id__startswith="demo-", active=True)
        .order_by("external_id")
        .values("pk", "external_id", "display_name", "unit_id", "user_id")
    )
    with_feed = [e for e in employees if e["user_id"] is None and rng.random() < FEED_SHARE]
    feeds = {f.employee_id: f for f in CalendarFeed.objects.filter(employee__isnull=False)}
    created = []
    for row in tqdm(with_feed, desc="Calendars", unit=" files", disable=not progress):
        # Each person's own generator: a second run draws as the first did without making
        # the files it keeps (recurring events go on; a new demo day moves the rest).
        mine = random.Random(f"{seed}-{row['external_id']}")
        if row["pk"] not in feeds:
            text = calendars.person_calendar(
                mine, key=row["external_id"], name=row["display_name"], now=now
            )
            created.append(CalendarFeed(employee_id=row["pk"], content=text))
    unit_feeds = set(CalendarFeed.objects.exclude(unit=None).values_list("unit_id", flat=True))
    units = Unit.objects.filter(external_id__startswith=UNIT_PREFIX, kind=UnitKind.UNIT)
    for unit in units.order_by("external_id"):
        if rng.random() < 0.3 and unit.pk not in unit_feeds:
            mine = random.Random(f"{seed}-{unit.external_id}")
            key = unit.external_id or ""
            text = calendars.unit_calendar(mine, key=key, name=unit.name, now=now)
            created.append(CalendarFeed(unit=unit, content=text))
    CalendarFeed.objects.bulk_create(created, batch_size=500)
    unread = CalendarFeed.objects.filter(last_read_at=None, url="", active=True)
    for feed in tqdm(list(unread), desc="Reading calendars", disable=not progress):
        feed_read(feed, now=now)
    # Absences entered by hand (no feed, nobody's name on them): made again around `now`.
    Absence.objects.filter(
        feed=None, created_by=None, employee__external_id__startswith="demo-"
    ).delete()
    by_unit: dict[int, list[Any]] = {}
    for row in employees:
        by_unit.setdefault(row["unit_id"], []).append(row)
    absences = []
    reasons = [
        (AbsenceReason.LEAVE, "Semester"),
        (AbsenceReason.LEAVE, "Föräldraledig"),
        (AbsenceReason.COURSE, "Utbildning"),
        (AbsenceReason.TRAVEL, "Tjänsteresa"),
        (AbsenceReason.AWAY, "Sjuk"),
        (AbsenceReason.AWAY, ""),
    ]
    for row in employees:
        if row["user_id"] is not None or rng.random() >= ABSENCE_SHARE:
            continue
        colleagues = [c for c in by_unit[row["unit_id"]] if c["pk"] != row["pk"]]
        reason, note = rng.choice(reasons)
        starts = now - timedelta(days=rng.uniform(0, 6))
        ends = (
            next_monday(now)
            if rng.random() < 0.4
            else now + timedelta(days=rng.choice([1, 2, 3, 5, 9, 14]), hours=rng.randint(0, 8))
        )
        absences.append(
            Absence(
                employee_id=row["pk"],
                starts_at=starts,
                ends_at=ends,
                reason=reason,
                note=note,
                substitute_id=rng.choice(colleagues)["pk"] if colleagues else None,
            )
        )
    bjorn = Employee.objects.filter(external_id=p.NAMED[0][0]).first()
    substitute = Employee.objects.filter(user__username=p.SUBSTITUTE_USER).first()
    if bjorn is not None:
        absences.append(
            Absence(
                employee=bjorn,
                starts_at=now - timedelta(days=3),
                ends_at=next_monday(now),
                reason=AbsenceReason.LEAVE,
                note="Semester",
                substitute=substitute,
            )
        )
    Absence.objects.bulk_create(absences, batch_size=1000)
    return {"feeds": len(created), "absences": len(absences)}


# A month of switchboard history -----------------------------------------------------------


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), list(shares.values()))[0]


class _History:
    """Events, transfers and messages of the month, built call by call."""

    def __init__(self, rng: random.Random, callers: list[str], people: list[Employee]) -> None:
        self.rng = rng
        self.callers = callers
        self.people = people
        self.events: list[CallEvent] = []
        self.transfers: list[dict[str, Any]] = []
        self.operators = ["switch1", "switch2"]
        self._numbered: dict[str, int] = {}

    def event(self, call_id: str, kind: str, at: datetime, **fields: str) -> None:
        n = self._numbered[call_id] = self._numbered.get(call_id, 0) + 1
        self.events.append(
            CallEvent(
                event_id=f"{call_id}:{n:02d}:{kind}",
                call_id=call_id,
                type=EventType(kind),
                at=at,
                **fields,
            )
        )

    def caller(self) -> str:
        if self.callers and self.rng.random() < 0.6:
            return self.rng.choice(self.callers)
        return f"+467017406{self.rng.randint(5, 99):02d}"

    def operator_call(self, call_id: str, queued: datetime, caller: str) -> None:
        """From the queue "vaxel": answered by an operator, who puts most callers through."""
        rng = self.rng
        operator = rng.choice(self.operators)
        answered = queued + timedelta(seconds=rng.expovariate(1 / 25))
        self.event(call_id, "ringing", answered - timedelta(seconds=3), agent=operator)
        self.event(call_id, "answered", answered, agent=operator)
        moment = answered + timedelta(seconds=rng.uniform(15, 60))
        if rng.random() >= m.TRANSFER_SHARE:
            self.event(call_id, "ended", moment + timedelta(seconds=rng.uniform(20, 120)))
            return
        for attempt in range(2):
            person = rng.choice(self.people)
            target = person.direct_number
            self.event(call_id, "transfer_started", moment, agent=operator, target=target)
            outcome = _pick(rng, m.TRANSFER_OUTCOMES)
            record = {
                "call_id": call_id,
                "operator": operator,
                "employee": person,
                "target": target,
                "requested_at": moment,
                "outcome": outcome,
                "caller": caller,
            }
            self.transfers.append(record)
            if outcome == "answered":
                at = moment + timedelta(seconds=rng.uniform(4, 15))
                self.event(call_id, "transfer_answered", at, target=target)
                self.event(call_id, "ended", at + timedelta(seconds=rng.lognormvariate(4.8, 0.6)))
                record["answered_at"] = at
                return
            back = moment + timedelta(
                seconds=m.RING_SECONDS if outcome == "no_answer" else rng.uniform(1, 3)
            )
            self.event(call_id, "transfer_returned", back, target=target, reason=outcome)
            record["returned_at"] = back
            moment = back + timedelta(seconds=rng.uniform(10, 40))
            if attempt == 0 and rng.random() < 0.3:
                continue  # another person
            record["message"] = rng.random() < m.MESSAGE_SHARE
            self.event(call_id, "ended", moment + timedelta(seconds=rng.uniform(30, 90)))
            return

    def direct_call(self, call_id: str, offered: datetime) -> None:
        """A call to a person's direct number: reached, or back to the switchboard."""
        rng = self.rng
        person = rng.choice(self.people)
        caller = self.caller()
        fields = {"number": person.direct_number, "caller": caller}
        target = person.direct_number
        self.event(call_id, "direct_offered", offered, target=target, **fields)
        outcome = _pick(rng, m.DIRECT_OUTCOMES)
        if outcome == "answered":
            at = offered + timedelta(seconds=rng.uniform(3, 15))
            self.event(call_id, "direct_answered", at, target=target)
            self.event(call_id, "ended", at + timedelta(seconds=rng.lognormvariate(4.8, 0.6)))
            return
        seconds = {"no_answer": m.RING_SECONDS, "busy": 1, "absent": 12}[outcome]
        back = offered + timedelta(seconds=seconds)
        self.event(call_id, "direct_fallback", back, target=target, reason=outcome)
        self.event(call_id, "queued", back + timedelta(seconds=1), answer_group="vaxel")
        self.operator_call(call_id, back + timedelta(seconds=1), caller)

    def switchboard_call(self, call_id: str, offered: datetime) -> None:
        """A call to the center whose caller presses 0 for the switchboard."""
        caller = self.caller()
        fields = {"number": m.CENTER_NUMBER, "caller": caller}
        self.event(call_id, "offered", offered, **fields)
        queued = offered + timedelta(seconds=self.rng.uniform(8, 20))
        self.event(call_id, "queued", queued, answer_group="vaxel", digit="0")
        self.operator_call(call_id, queued, caller)


def switchboard_history(
    rng: random.Random, *, now: datetime, callers: list[str], people: list[Employee]
) -> _History:
    """A month of the switchboard's calls over the center's opening hours."""
    history = _History(rng, callers, people)
    hours = opening_hours()
    switchboard_per_day = m.CALLS_PER_DAY * m.DIGIT_WEIGHTS["0"] / sum(m.DIGIT_WEIGHTS.values())
    today = timezone.localdate(now)
    for offset in range(m.SWITCHBOARD_HISTORY_DAYS, -1, -1):
        day = today - timedelta(days=offset)
        for opens, closes in opening_periods(day, hours):
            span = (closes - opens).total_seconds()
            for kind, per_day in (("s", switchboard_per_day), ("d", m.DIRECT_CALLS_PER_DAY)):
                for n in range(round(per_day * rng.uniform(0.8, 1.2))):
                    offered = opens + timedelta(seconds=rng.uniform(0, span))
                    if offered >= now - timedelta(minutes=10):
                        continue
                    call_id = f"{HISTORY_PREFIX}{kind}{day:%Y%m%d}-{n:03d}"
                    if kind == "s":
                        history.switchboard_call(call_id, offered)
                    else:
                        history.direct_call(call_id, offered)
    return history


ABOUT = [
    "Vill veta hur det går med bygglovsansökan.",
    "Frågar om fakturan från oktober.",
    "Vill boka tid för att prata om sin mammas hemtjänst.",
    "Har frågor om beslutet hon fick i veckan.",
    "Vill ha hjälp med en ansökan som inte går att skicka in.",
    "Ringer om skolskjutsen för sin son.",
    "Vill diskutera förslaget till detaljplan.",
    "Undrar varför kärlet inte tömdes.",
]


def seed_switchboard_history(
    *, now: datetime, callers: list[str], seed: int = 2026, progress: bool = True
) -> int:
    """A month of switchboard calls (through the events service, like the other calls),
    their transfers, and messages for the returned ones; skipped when any are there."""
    if Call.objects.filter(call_id__startswith=HISTORY_PREFIX).exists():
        return 0
    rng = random.Random(f"switchboard-{seed}")
    people = list(
        Employee.objects.filter(external_id__startswith="demo-e-", active=True)
        .exclude(direct_number="")
        .select_related("unit")
        .order_by("external_id")
    )
    if not people:
        return 0
    history = switchboard_history(rng, now=now, callers=callers, people=people)
    batch = 3000
    events = history.events
    with tqdm(total=len(events), desc="Switchboard", unit=" events", disable=not progress) as bar:
        for start in range(0, len(events), batch):
            chunk = events[start : start + batch]
            telephony_services.call_events_record(
                events=chunk, source=EventSource.SIMULATOR, follow=False
            )
            bar.update(len(chunk))
    operators = {u.username: u for u in User.objects.filter(username__in=history.operators)}
    transfers, messages = [], []
    for record in history.transfers:
        person, outcome = record["employee"], record["outcome"]
        # Wrong transfers: the units whose entries are out of date get most.
        stale = person.unit.external_id.removeprefix(UNIT_PREFIX) in m.NOT_MINE_UNITS
        wrong_share = 0.12 if stale else 0.01
        answered_at = record.get("answered_at")
        transfers.append(
            Transfer(
                call_id=record["call_id"],
                operator=operators[record["operator"]],
                employee=person,
                target=record["target"],
                state=TransferState.ANSWERED if outcome == "answered" else TransferState.RETURNED,
                reason="" if outcome == "answered" else outcome,
                requested_at=record["requested_at"],
                fetched_at=record["requested_at"] + timedelta(seconds=1),
                answered_at=answered_at,
                returned_at=record.get("returned_at"),
                not_mine_at=answered_at + timedelta(minutes=5)
                if answered_at and rng.random() < wrong_share
                else None,
            )
        )
        if not record.get("message"):
            continue
        taken = record["returned_at"] + timedelta(seconds=rng.uniform(40, 120))
        state, done_at, not_mine_at = MessageState.OPEN, None, None
        roll = rng.random()
        if roll < wrong_share * 3:
            state, not_mine_at = MessageState.NOT_MINE, taken + timedelta(hours=rng.uniform(1, 5))
        elif taken < now - timedelta(days=1) or roll < 0.6:
            state = MessageState.DONE
            within_day = rng.random() < 0.85
            done_at = taken + timedelta(
                hours=rng.uniform(0.2, 6) if within_day else rng.uniform(25, 72)
            )
        if (done_at and done_at > now) or (not_mine_at and not_mine_at > now):
            state, done_at, not_mine_at = MessageState.OPEN, None, None
        messages.append(
            Message(
                employee=person,
                call_id=record["call_id"],
                caller_name=rng.choice(m.FIRST_NAMES) + " " + rng.choice(m.LAST_NAMES),
                caller_number=record["caller"],
                about=rng.choice(ABOUT),
                call_back=rng.choice([CallBack.ASAP, CallBack.TODAY, CallBack.ASAP]),
                taken_by=operators[record["operator"]],
                taken_at=taken,
                state=state,
                done_at=done_at,
                not_mine_at=not_mine_at,
                sent_by="email",
                sent_at=taken + timedelta(seconds=2),
            )
        )
    Transfer.objects.bulk_create(transfers, batch_size=1000)
    Message.objects.bulk_create(messages, batch_size=1000)
    return len({e.call_id for e in events})
