"""Seeding the demo municipality, idempotently: configuration, staff, residents, traffic.

Cases are made through the same services the desktop uses, at past times, so their
timelines, due times and SLA outcomes are exactly what the product would have recorded.
"""

import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from tqdm import tqdm

from kontakt.accounts.models import User
from kontakt.accounts.services import roles_sync
from kontakt.cases import services as case_services
from kontakt.cases.models import Case, CaseType, CaseTypeAttribute, Contact, Outcome
from kontakt.cases.notices import history_written
from kontakt.core.business_hours import add_business_time, opening_periods
from kontakt.core.call_events import CallEvent, EventType
from kontakt.core.case_status import CaseStatus
from kontakt.core.identity import norwegian_check_digits
from kontakt.directory.models import (
    AnswerGroup,
    CalendarFeed,
    Department,
    Employee,
    OpeningHours,
    Unit,
)
from kontakt.directory.selectors import opening_hours, opening_hours_changed
from kontakt.intake import services as intake_services
from kontakt.knowledge import services as knowledge_services
from kontakt.knowledge import transfer
from kontakt.knowledge.models import Article, ArticleFlag, SearchGap, Synonym
from kontakt.residents.models import (
    FeedbackChannel,
    IdentityCountry,
    Resident,
    ResidentEmail,
    ResidentKind,
    ResidentPhone,
)
from kontakt.switchboard.models import Message
from kontakt.telephony import services as telephony_services
from kontakt.telephony.models import (
    AgentSkill,
    Call,
    EventSource,
    MenuOption,
    OverflowStep,
    PhoneNumber,
    RoutingSettings,
)

from . import letters, mail, switchboard
from . import municipality as m
from .chat import seed_chat

DISCARD_TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "QUEUES": ["default", "notifications"],
    }
}


def seed_configuration() -> None:
    """Departments, units, answer groups, case types and opening hours (update or create)."""
    for code, name, auto_assign, units in m.DEPARTMENTS:
        department, _ = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "auto_assign": auto_assign, "email": f"{code}@sjostad.example"},
        )
        for unit in units:
            Unit.objects.get_or_create(department=department, name=unit)
    for code, name, language in m.ANSWER_GROUPS:
        AnswerGroup.objects.update_or_create(
            code=code, defaults={"name": name, "language": language}
        )
    departments = {d.code: d for d in Department.objects.all()}
    groups = {g.code: g for g in AnswerGroup.objects.all()}
    for code, name, dept, group, may_close, hours, routine, _weight in m.CASE_TYPES:
        CaseType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "department": departments[dept],
                "answer_group": groups[group],
                "first_line_may_close": may_close,
                "response_time": timedelta(hours=hours),
                "routine": routine,
            },
        )
    seed_published_case_types()
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=day, opens=opens, closes=closes)
            for day, opens, closes in m.OPENING_HOURS
        )
    opening_hours_changed()


def seed_published_case_types() -> None:
    """The case types residents may file themselves, with what happens next and the
    questions they ask (again and again: the same rows)."""
    for code, (
        group,
        description,
        next_steps,
        where,
        keywords,
        questions,
    ) in m.RESIDENT_CASE_TYPES.items():
        CaseType.objects.filter(code=code).update(
            published=True,
            group=group,
            public_description=description,
            next_steps=next_steps,
            ask_location=where,
            keywords=keywords,
        )
        case_type = CaseType.objects.get(code=code)
        for order, (key, kind, question, help_text, required, choices) in enumerate(questions):
            CaseTypeAttribute.objects.update_or_create(
                case_type=case_type,
                code=key,
                defaults={
                    "datatype": kind,
                    "question": question,
                    "description": help_text,
                    "required": required,
                    "order": order,
                    "values": [{"key": k, "name": n} for k, n in choices],
                },
            )


def seed_staff() -> None:
    """About twenty staff users of every role, all with the demo password."""
    roles_sync()
    departments = {d.code: d for d in Department.objects.all()}
    for username, first, last, roles, dept, languages in m.STAFF:
        user, created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@sjostad.example"
        user.department = departments.get(dept) if dept else None
        user.languages = languages
        user.is_staff = "administrator" in roles or "supervisor" in roles
        user.is_superuser = "administrator" in roles
        if created:
            user.set_password(m.DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))


def synthetic_norwegian_number(rng: random.Random) -> str:
    """A Norwegian synthetic test number (month + 80): valid checksum, never a real person."""
    while True:
        born = date(rng.randint(1940, 1999), rng.randint(1, 12), rng.randint(1, 28))
        nine = f"{born:%d}{born.month + 80:02d}{born:%y}{rng.randint(0, 499):03d}"
        check = norwegian_check_digits(nine)
        if check is not None:
            return nine + check


def seed_residents(rng: random.Random, count: int = 300) -> list[Resident]:
    """Fictional residents of Sjöstad: persons and a few organisations."""
    existing = list(Resident.objects.all())
    if len(existing) >= count:
        return existing
    residents = []
    for index in range(count - len(existing)):
        organisation = index % 15 == 14
        if organisation:
            name = m.ORGANISATIONS[index % len(m.ORGANISATIONS)] + (
                "" if index < 100 else f" {index}"
            )
        else:
            name = f"{rng.choice(m.FIRST_NAMES)} {rng.choice(m.LAST_NAMES)}"
        identity = (
            synthetic_norwegian_number(rng) if not organisation and rng.random() < 0.25 else ""
        )
        residents.append(
            Resident(
                kind=ResidentKind.ORGANISATION if organisation else ResidentKind.PERSON,
                name=name,
                identity_number=identity,
                identity_country=IdentityCountry.NO if identity else "",
                street_address=f"{rng.choice(m.STREETS)} {rng.randint(1, 80)}",
                postal_code=f"{rng.randint(100, 199)} {rng.randint(10, 99)}",
                city="Sjöstad",
                preferred_language=rng.choices(
                    ["sv", "en", "ar", "so", "nb", "fi"], [80, 6, 6, 3, 3, 2]
                )[0],
                preferred_channel=rng.choices(
                    [
                        FeedbackChannel.PHONE,
                        FeedbackChannel.EMAIL,
                        FeedbackChannel.SMS,
                        FeedbackChannel.LETTER,
                        FeedbackChannel.MY_PAGES,
                    ],
                    [40, 40, 10, 4, 6],
                )[0],
            )
        )
    created = Resident.objects.bulk_create(residents)
    if not created or created[0].pk is None:  # backends that do not return keys
        created = list(Resident.objects.order_by("-id")[: len(residents)])
    phones, emails = [], []
    for resident in created:
        phones.append(
            ResidentPhone(resident=resident, number=f"+4670{rng.randint(1000000, 9999999)}")
        )
        if resident.preferred_channel == FeedbackChannel.EMAIL or rng.random() < 0.4:
            local = (
                resident.name.lower()
                .replace(" ", ".")
                .replace("å", "a")
                .replace("ä", "a")
                .replace("ö", "o")
            )
            local = "".join(ch for ch in local if ch.isalnum() or ch == ".")
            emails.append(
                ResidentEmail(resident=resident, address=f"{local}{resident.pk}@example.org")
            )
    ResidentPhone.objects.bulk_create(phones, ignore_conflicts=True)
    ResidentEmail.objects.bulk_create(emails, ignore_conflicts=True)
    return existing + created


def _contact_times(rng: random.Random, start: date, end: date) -> list[datetime]:
    """Contact start times over working days, shaped by the hourly profile of the seeds."""
    hours = opening_hours()
    times = []
    day = start
    while day <= end:
        periods = opening_periods(day, hours)
        if periods:
            volume = int(
                m.CONTACTS_PER_DAY * (1.15 if day.weekday() == 0 else 1.0) * rng.uniform(0.85, 1.15)
            )
            hour_choices = [
                h
                for h in m.HOURLY_SHARE
                if any(p[0].hour <= h < p[1].hour + (p[1].minute > 0) for p in periods)
            ]
            weights = [m.HOURLY_SHARE[h] for h in hour_choices]
            for _ in range(volume):
                hour = rng.choices(hour_choices, weights)[0]
                moment = periods[0][0].replace(
                    hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59)
                )
                if any(p[0] <= moment < p[1] for p in periods):
                    times.append(moment)
        day += timedelta(days=1)
    return sorted(times)


def _case_life(rng: random.Random, case: Case, staff: dict[str, list[User]], now: datetime) -> None:
    """Play a forwarded case forward from its creation: taken, maybe waiting, closed."""
    hours = opening_hours()
    sla = case.case_type.response_time
    handlers = staff.get(case.department.code) or staff["second_line"]
    handler = case.handler or rng.choice(handlers)
    taken_at = add_business_time(case.created_at, sla * rng.uniform(0.05, 0.4), hours)
    if taken_at >= now:
        return
    case = case_services.case_take(case=case, by=handler, now=taken_at)
    moment = taken_at
    if rng.random() < 0.18:
        moment = add_business_time(moment, timedelta(minutes=rng.randint(10, 120)), hours)
        if moment >= now:
            return
        case_services.case_add_message(
            case=case,
            body="Vi behöver fler uppgifter för att kunna hantera ärendet.",
            direction="out",
            channel="email",
            by=handler,
            now=moment,
        )
        case = case_services.case_change_status(
            case=case, to_status=CaseStatus.WAITING, by=handler, now=moment
        )
        moment = moment + timedelta(days=rng.uniform(0.5, 4))
        if moment >= now:
            return
        case_services.case_add_message(
            case=case,
            body="Här kommer de uppgifter ni bad om.",
            direction="in",
            channel="email",
            by=None,
            now=moment,
        )
    # Most cases close inside their SLA; about one in eight runs late.
    factor = rng.uniform(0.2, 0.95) if rng.random() < 0.87 else rng.uniform(1.05, 2.5)
    case.refresh_from_db()
    start = max(moment, case.created_at)
    closed_at = add_business_time(case.created_at, sla * factor, hours)
    if closed_at <= start:
        closed_at = add_business_time(start, timedelta(minutes=30), hours)
    if closed_at >= now:
        return
    if rng.random() < 0.3:
        case_services.case_add_note(
            case=case,
            body="Kontrollerat på plats.",
            by=handler,
            now=closed_at - timedelta(minutes=5),
        )
    case_services.case_change_status(
        case=case,
        to_status=CaseStatus.CLOSED,
        by=handler,
        resolution=rng.choice(m.RESOLUTIONS),
        now=closed_at,
    )


ARTICLES_DIR = Path(__file__).parent / "articles"


def seed_knowledge(*, now: datetime, progress: bool = True) -> transfer.Report:
    """The demo's articles (imported from demo/articles/ like any municipality's FAQ),
    synonyms, the agents' flags, searches that found nothing and due reviews."""
    sources = list(transfer.read_paths([ARTICLES_DIR]))
    with tqdm(total=len(sources), desc="Articles", unit=" articles", disable=not progress) as bar:
        report = transfer.articles_import(sources, by=None, progress=bar.update)
    if report.errors:
        raise RuntimeError("The demo articles do not import: " + "; ".join(report.errors))
    for words, language in m.SYNONYMS:
        if not Synonym.objects.filter(words=words, language=language).exists():
            knowledge_services.synonym_save(words=words, language=language)
    if not ArticleFlag.objects.exists():
        for key, language, reason, comment, username in m.ARTICLE_FLAGS:
            article = Article.objects.filter(translation_key=key, language=language).first()
            agent = User.objects.filter(username=username).first()
            if article is not None and agent is not None:
                knowledge_services.article_flag(
                    article=article, reason=reason, comment=comment, by=agent, now=now
                )
        knowledge_services.articles_review_remind(now=now)
    if not SearchGap.objects.exists():
        types = {t.code: t for t in CaseType.objects.all()}
        for words, code, times in m.SEARCH_GAPS:
            for _time in range(times):
                knowledge_services.search_gap_record(
                    query=words, language="sv", case_type=types.get(code) if code else None, now=now
                )
    return report


def _articles_by_case_type() -> dict[int, list[Article]]:
    found: dict[int, list[Article]] = {}
    for article in Article.objects.filter(language="sv", status="published").prefetch_related(
        "case_types"
    ):
        for case_type in article.case_types.all():
            found.setdefault(case_type.pk, []).append(article)
    return found


def seed_traffic(
    rng: random.Random, residents: list[Resident], *, now: datetime, progress: bool = True
) -> int:
    """Two months of contacts and cases shaped like the seeds; skipped when any exist."""
    if Contact.objects.exists():
        return 0
    types = {t.code: t for t in CaseType.objects.select_related("department")}
    type_codes = [row[0] for row in m.CASE_TYPES]
    type_weights = [row[7] for row in m.CASE_TYPES]
    agents = list(
        User.objects.filter(groups__name__in=["agent", "second_line", "switchboard"]).distinct()
    )
    staff: dict[str, list[User]] = {
        "second_line": list(User.objects.filter(groups__name="second_line"))
    }
    for user in User.objects.filter(groups__name="handler").select_related("department"):
        assert user.department is not None  # the demo's handlers each work in one
        staff.setdefault(user.department.code, []).append(user)
    start = timezone.localdate(now) - m.DEMO_DAYS
    times = [
        t
        for t in _contact_times(rng, start, timezone.localdate(now))
        if t < now - timedelta(minutes=5)
    ]
    open_by_resident: dict[int, Case] = {}
    forwarded: list[Case] = []
    articles = _articles_by_case_type()
    for started in tqdm(times, desc="Contacts", unit=" contacts", disable=not progress):
        agent = rng.choice(agents)
        channel = rng.choices(list(m.CHANNEL_SHARE), list(m.CHANNEL_SHARE.values()))[0]
        anonymous = rng.random() < 0.12
        resident = None if anonymous else rng.choice(residents)
        ended = started + timedelta(seconds=int(rng.lognormvariate(5.2, 0.5)))
        if rng.random() < 0.18:
            draft = case_services.ContactDraft(
                channel=channel,
                outcome=Outcome.CLOSED,
                summary="Allmän upplysning, besvarad direkt.",
                resident=resident,
                started_at=started,
                ended_at=ended,
            )
            intake_services.contact_intake(
                arrival=intake_services.Arrival(contact=draft), by=agent, now=ended
            )
            continue
        case_type = types[rng.choices(type_codes, type_weights)[0]]
        subject, summary = rng.choice(m.QUESTIONS[case_type.code])
        open_case = open_by_resident.get(resident.pk) if resident else None
        if open_case is not None and open_case.case_type_id == case_type.pk and rng.random() < 0.7:
            open_case.refresh_from_db(fields=["status"])
            if open_case.status != CaseStatus.CLOSED:
                draft = case_services.ContactDraft(
                    channel=channel,
                    outcome=Outcome.LINKED,
                    summary="Invånaren hör av sig igen om sitt ärende.",
                    resident=resident,
                    case_type=case_type,
                    case=open_case,
                    started_at=started,
                    ended_at=ended,
                )
                intake_services.contact_intake(
                    arrival=intake_services.Arrival(contact=draft), by=agent, now=ended
                )
                continue
        roll = rng.random()
        if case_type.first_line_may_close and roll < 0.97:
            outcome = Outcome.CLOSED if roll < 0.88 else Outcome.CLOSED_WITH_ORDER
        else:
            outcome = Outcome.FORWARDED
        draft = case_services.ContactDraft(
            channel=channel,
            outcome=outcome,
            summary=summary,
            subject=subject,
            resident=resident,
            case_type=case_type,
            started_at=started,
            ended_at=ended,
            priority=3 if case_type.code in ("vattenlacka", "snorojning") else 2,
        )
        used = []
        if articles.get(case_type.pk) and rng.random() < m.ARTICLE_USE_SHARE:
            used = [rng.choice(articles[case_type.pk])]
        contact = intake_services.contact_intake(
            arrival=intake_services.Arrival(contact=draft, articles=used), by=agent, now=ended
        )
        if contact.case is not None:
            forwarded.append(contact.case)
            if resident is not None:
                open_by_resident[resident.pk] = contact.case
    for case in tqdm(forwarded, desc="Case work", unit=" cases", disable=not progress):
        _case_life(
            rng, Case.objects.select_related("case_type", "department").get(pk=case.pk), staff, now
        )
    return len(times)


def seed_telephony(
    rng: random.Random, residents: list[Resident], *, now: datetime, progress: bool = True
) -> int:
    """The center's number and menu, routing and skills (update or create), and four weeks
    of calls shaped like the seeds, through the events API's service (skipped when any)."""
    groups = {g.code: g for g in AnswerGroup.objects.all()}
    for code, (skill, callback) in m.ROUTING.items():
        routing, _ = RoutingSettings.objects.update_or_create(
            answer_group=groups[code],
            defaults={"skill": skill, "callback_after_seconds": callback, "wrap_up_seconds": 20},
        )
        if code not in ("allmant", "vaxel"):
            OverflowStep.objects.update_or_create(
                routing=routing,
                to_group=groups["allmant"],
                defaults={"after_seconds": m.OVERFLOW_SECONDS},
            )
    number, _ = PhoneNumber.objects.update_or_create(
        number=m.CENTER_NUMBER,
        defaults={
            "name": "Kontaktcenter",
            "greeting": m.GREETING,
            "closed_message": m.CLOSED_MESSAGE,
            "default_group": groups["allmant"],
        },
    )
    for digit, label, code in m.MENU:
        MenuOption.objects.update_or_create(
            phone_number=number,
            digit=digit,
            defaults={"label": label, "answer_group": groups[code]},
        )
    for username, skills in m.SKILLS.items():
        agent = User.objects.get(username=username)
        for skill, level in skills.items():
            AgentSkill.objects.update_or_create(
                agent=agent, skill=skill, defaults={"proficiency": level}
            )
    if Call.objects.exists():
        return 0
    events = list(_call_history(rng, residents, now=now))
    batch = 3000
    with tqdm(total=len(events), desc="Calls", unit=" events", disable=not progress) as bar:
        for start in range(0, len(events), batch):
            chunk = events[start : start + batch]
            telephony_services.call_events_record(
                events=chunk, source=EventSource.SIMULATOR, follow=False
            )
            bar.update(len(chunk))
    return Call.objects.count()


def _call_history(
    rng: random.Random, residents: list[Resident], *, now: datetime
) -> list[CallEvent]:
    """Past calls: the daily shape of the seeds, tone choices, waits that grow at the peak,
    about 4 % abandoned (Oslo's share), a few short abandons."""
    hours = opening_hours()
    phones = [p for r in residents for p in r.phones.values_list("number", flat=True)]
    menu = [code for _digit, _label, code in m.MENU]
    # The switchboard's calls (digit 0) are the switchboard history's, with their transfers.
    weights = [0 if code == "vaxel" else m.DIGIT_WEIGHTS[digit] for digit, _label, code in m.MENU]
    digits = {code: digit for digit, _label, code in m.MENU}
    agents = {
        code: [u for u, s in m.SKILLS.items() if m.ROUTING[code][0] in s] for code in m.ROUTING
    }
    events: list[CallEvent] = []
    today = timezone.localdate(now)
    for offset in range(m.CALL_HISTORY_DAYS, -1, -1):
        day = today - timedelta(days=offset)
        for opens, closes in opening_periods(day, hours):
            for hour, share in m.HOURLY_SHARE.items():
                start = timezone.localtime(opens).replace(hour=hour, minute=0, second=0)
                if start < opens or start >= closes:
                    continue
                for _ in range(_poisson(rng, m.CALLS_PER_DAY * share)):
                    offered = start + timedelta(seconds=rng.uniform(0, 3600))
                    if offered >= now - timedelta(minutes=10):
                        continue
                    events += _one_call(rng, offered, share, phones, menu, weights, digits, agents)
    return events


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means of an hour's calls.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _one_call(
    rng: random.Random,
    offered: datetime,
    share: float,
    phones: list[str],
    menu: list[str],
    weights: list[int],
    digits: dict[str, str],
    agents: dict[str, list[str]],
) -> list[CallEvent]:
    call_id = f"demo-{offered:%Y%m%d%H%M%S}-{rng.randrange(10**6):06d}"
    caller = (
        rng.choice(phones)
        if phones and rng.random() < 0.6
        else f"+467017406{rng.randint(5, 99):02d}"
    )
    pressed = rng.random() < 0.85
    group = rng.choices(menu, weights)[0] if pressed else "allmant"
    queued = offered + timedelta(seconds=rng.uniform(8, 25))
    # Waits grow with the hour's load: the 9–11 peak waits longest.
    wait = rng.expovariate(1 / (8 + 120 * share))
    fields = {"number": m.CENTER_NUMBER, "caller": caller}

    def event(kind: str, at: datetime, **more: str) -> CallEvent:
        return CallEvent(
            event_id=f"{call_id}:{kind}",
            call_id=call_id,
            type=EventType(kind),
            at=at,
            **{**fields, **more},
        )

    made = [
        event("offered", offered),
        event("queued", queued, answer_group=group, digit=digits.get(group, "") if pressed else ""),
    ]
    patience = rng.expovariate(1 / 150)
    if rng.random() < 0.015:
        patience = rng.uniform(0.5, 4.5)  # hung up at once
    if patience < wait:
        made.append(event("abandoned", queued + timedelta(seconds=patience)))
        return made
    answered = queued + timedelta(seconds=wait)
    agent = rng.choice(agents[group] or ["agent1"])
    made.append(event("ringing", answered - timedelta(seconds=rng.uniform(2, 6)), agent=agent))
    made.append(event("answered", answered, agent=agent))
    made.append(event("ended", answered + timedelta(seconds=rng.lognormvariate(4.8, 0.5))))
    return made


def seed_all(
    *, now: datetime | None = None, progress: bool = True, seed: int = 2026
) -> dict[str, int]:
    """Seed everything in one transaction (one durable commit, fast on SQLite)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    # Residents were told about the past months' cases back then: queue no notifications.
    with override_settings(TASKS=DISCARD_TASKS), history_written(), transaction.atomic():
        seed_configuration()
        seed_staff()
        employees = switchboard.seed_directory(seed=seed, progress=progress)
        residents = seed_residents(rng)
        knowledge = seed_knowledge(now=now, progress=progress)
        contacts = seed_traffic(rng, residents, now=now, progress=progress)
        calls = seed_telephony(rng, residents, now=now, progress=progress)
        mail.seed_mail()
        seed_chat()
        absences = switchboard.seed_absences(now=now, seed=seed, progress=progress)
        callers = list(ResidentPhone.objects.order_by("id").values_list("number", flat=True)[:2000])
        switchboard_calls = switchboard.seed_switchboard_history(
            now=now, callers=callers, seed=seed, progress=progress
        )
        letters.seed_letters(now=now)
    return {
        "departments": Department.objects.count(),
        "staff": User.objects.count(),
        "case_types": CaseType.objects.count(),
        "residents": Resident.objects.count(),
        "contacts_created": contacts,
        "contacts": Contact.objects.count(),
        "cases": Case.objects.count(),
        "articles": Article.objects.count(),
        "articles_imported": knowledge.created + knowledge.updated,
        "calls_created": calls,
        "calls": Call.objects.count(),
        "employees_created": employees,
        "employees": Employee.objects.count(),
        "calendar_feeds": CalendarFeed.objects.count(),
        "absences_made": absences["absences"],
        "switchboard_calls_created": switchboard_calls,
        "messages": Message.objects.count(),
    }
