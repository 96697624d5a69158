"""The staffing plan, roster, exports and what-if runs, on contacts at known local times."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases.models import Contact, Outcome
from kontakt.core.erlang import erlang_c_agents_for_service_level, traffic_erlangs
from kontakt.core.planning import ServiceGoal
from kontakt.core.simulation import Overflow
from kontakt.directory.models import AnswerGroup
from kontakt.staffing import selectors
from kontakt.staffing.models import RosterEntry, RunStatus, WhatIfRun
from kontakt.staffing.tasks import what_if_scenario
from kontakt.telephony.models import AgentSkill, OverflowStep, RoutingSettings

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A Tuesday in March 2026; the eight weeks before it hold no public holiday.
DAY = date(2026, 3, 17)
AHT = 240  # every contact lasts four minutes


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


@pytest.fixture
def group(parking_type) -> AnswerGroup:
    group = AnswerGroup.objects.create(name="Trafik", code="trafik")
    parking_type.answer_group = group
    parking_type.save(update_fields=["answer_group"])
    return group


@pytest.fixture
def history(group, parking_type, agent) -> None:
    """Eight weeks of calls: every weekday 6 at 09:00–09:15 and 2 at 13:30–13:45."""
    contacts = []
    day = DAY - timedelta(weeks=8)
    while day < DAY:
        if day.weekday() < 5:
            for hour, minute, count in ((9, 2, 6), (13, 40, 2)):
                for n in range(count):
                    started = local(day, hour, minute + n)
                    contacts.append(
                        Contact(
                            channel="phone",
                            started_at=started,
                            ended_at=started + timedelta(seconds=AHT),
                            agent=agent,
                            case_type=parking_type,
                            outcome=Outcome.CLOSED,
                        )
                    )
        day += timedelta(days=1)
    # Neither an e-mail, an outbound call nor another group's call is a call of this plan.
    contacts += [
        Contact(channel="email", started_at=local(DAY - timedelta(days=1), 10), outcome="closed"),
        Contact(
            channel="phone",
            direction="out",
            started_at=local(DAY - timedelta(days=1), 10),
            outcome="closed",
        ),
    ]
    Contact.objects.bulk_create(contacts)


def plan_query(**changes: str) -> dict[str, str]:
    query = {
        "group": "trafik",
        "period": "day",
        "day": DAY.isoformat(),
        "interval": "15",
        "channel": "phone",
        "target": "80",
        "answer_seconds": "20",
        "patience": "",
        "shrinkage": "20",
        "aht": "",
    }
    query.update(changes)
    return query


def test_history_counts_calls_per_local_interval(group, history):
    counted = selectors.contact_history(
        answer_group=group,
        channel="phone",
        first=DAY - timedelta(days=1),
        last=DAY - timedelta(days=1),
        interval_seconds=900,
    )
    day = counted.counts[DAY - timedelta(days=1)]
    assert day[36] == 6  # 09:00–09:15
    assert day[54] == 2  # 13:30–13:45
    assert sum(day) == 8
    assert (
        selectors.contact_history(
            answer_group=None,
            channel="",
            first=DAY - timedelta(days=1),
            last=DAY - timedelta(days=1),
            interval_seconds=3600,
        ).counts[DAY - timedelta(days=1)][10]
        == 1  # the e-mail; the outbound call is not counted
    )


def test_measured_aht_is_the_mean_handling_time(group, history):
    aht = selectors.measured_aht(
        answer_group=group, channel="phone", first=DAY - timedelta(weeks=8), last=DAY
    )
    assert aht == pytest.approx(AHT)


def test_plan_forecasts_the_weekly_shape_and_the_agents_it_needs(supervisor, group, history):
    goal = ServiceGoal(service_level=0.8, answer_seconds=20, shrinkage=0.2)
    plan = selectors.staffing_plan(
        user=supervisor, answer_group=group, days=[DAY], interval_seconds=900, goal=goal
    )
    rows = {row.starts.strftime("%H:%M"): row for row in plan.rows}
    assert len(rows) == 32  # 08:00–16:00 in quarters
    assert rows["09:00"].forecast == pytest.approx(6)
    assert rows["13:30"].forecast == pytest.approx(2)
    assert rows["10:00"].forecast == pytest.approx(0)
    needed = erlang_c_agents_for_service_level(
        traffic=traffic_erlangs(6, 900, AHT), aht_seconds=AHT, target=0.8, answer_time_seconds=20
    ).agents
    assert rows["09:00"].plan.needed == needed
    assert rows["10:00"].plan.needed == 1  # someone answers while the center is open
    assert plan.aht_seconds == pytest.approx(AHT)
    assert plan.accuracy is not None and plan.accuracy.mape == pytest.approx(0)
    assert plan.days[0].actual_total == 0  # a past day: nothing came in the test data
    assert not plan.has_roster


def test_only_planners_read_plans(agent, group):
    with pytest.raises(selectors.PermissionDenied):
        selectors.staffing_plan(
            user=agent, answer_group=group, days=[DAY], interval_seconds=900, goal=ServiceGoal()
        )


def test_plan_page_shows_the_forecast_and_a_chart(client_for, supervisor, history):
    response = client_for(supervisor).get("/staffing/", plan_query())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "Forecast contacts per interval" in html
    assert 'name="agents-2026-03-17T09:00"' in html
    assert "MAPE 0 %" in html


def test_invalid_plan_settings_are_explained(client_for, supervisor, history):
    response = client_for(supervisor).get("/staffing/", plan_query(target="100", interval="7"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 99." in html
    assert "Select a valid choice." in html


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", ""])
def test_days_out_of_reach_are_refused(client_for, supervisor, day):
    response = client_for(supervisor).get("/staffing/", plan_query(day=day))
    assert response.status_code == 200
    assert response.context["plan"] is None
    assert response.context["form"].errors["day"]


def plan_of(user, group):
    """The test day's plan at 15 minutes with the page's default goal and 20 % shrinkage."""
    return selectors.staffing_plan(
        user=user,
        answer_group=group,
        days=[DAY],
        interval_seconds=900,
        goal=ServiceGoal(shrinkage=0.2),
    )


def roster_post(values: dict[str, str], **changes: str) -> dict[str, str]:
    return {**plan_query(**changes), **{f"agents-2026-03-17T{k}": v for k, v in values.items()}}


def all_quarters(agents: str) -> dict[str, str]:
    return {f"{h:02d}:{m:02d}": agents for h in range(8, 16) for m in (0, 15, 30, 45)}


def test_roster_is_stored_and_projected(client_for, supervisor, group, history):
    web = client_for(supervisor)
    values = all_quarters("2") | {"09:00": "5"}
    response = web.post("/staffing/roster/", roster_post(values))
    assert response.status_code == 302
    entries = RosterEntry.objects.filter(answer_group=group)
    assert entries.count() == 32
    assert entries.get(starts_at=local(DAY, 9)).agents == 5
    assert entries.get(starts_at=local(DAY, 9)).updated_by == supervisor
    page = web.get(response["Location"]).content.decode()
    assert "Roster saved: 32 intervals." in page
    assert "Projected service level" in page
    plan = plan_of(supervisor, group)
    nine = next(row for row in plan.rows if row.starts == local(DAY, 9))
    assert nine.plan.scheduled == 5 and nine.plan.on_phones == 4
    assert nine.plan.projected is not None and nine.plan.projected.agents == 4
    # Saving again replaces the period's roster instead of adding to it.
    web.post("/staffing/roster/", roster_post(all_quarters("3")))
    assert entries.count() == 32
    assert set(entries.values_list("agents", flat=True)) == {3}


def test_bad_roster_input_is_kept_and_nothing_is_stored(client_for, supervisor, group, history):
    values = all_quarters("2") | {"09:00": "many", "09:15": "-1"}
    response = client_for(supervisor).post("/staffing/roster/", roster_post(values))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="many"' in html and 'value="-1"' in html
    assert html.count("Enter a whole number of agents, 0 or more.") == 2
    assert 'aria-invalid="true"' in html
    assert not RosterEntry.objects.exists()


def test_roster_filled_with_the_agents_to_schedule(client_for, supervisor, group, history):
    response = client_for(supervisor).post("/staffing/roster/", {**plan_query(), "fill": "1"})
    assert response.status_code == 302
    plan = plan_of(supervisor, group)
    assert [row.plan.scheduled for row in plan.rows] == [
        row.plan.needed_scheduled for row in plan.rows
    ]
    assert plan.totals.intervals_short == 0
    assert plan.totals.service_level is not None and plan.totals.service_level >= 0.8


def test_a_coarser_view_counts_the_agents_present_all_interval(supervisor, group):
    step = timedelta(minutes=15)
    entries = [
        RosterEntry(
            answer_group=group,
            starts_at=local(DAY, 9) + i * step,
            ends_at=local(DAY, 9) + (i + 1) * step,
            agents=a,
        )
        for i, a in enumerate([3, 4, 2, 5])
    ]
    assert selectors.scheduled_in(entries, local(DAY, 9), local(DAY, 10)) == 2
    assert selectors.scheduled_in(entries, local(DAY, 9), local(DAY, 9, 15)) == 3
    # Part of the hour without an entry has nobody.
    assert selectors.scheduled_in(entries[:3], local(DAY, 9), local(DAY, 10)) == 0


def test_week_plan_marks_the_weekend_closed(client_for, supervisor, history):
    response = client_for(supervisor).get("/staffing/", plan_query(period="week", interval="60"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("— closed:") == 2  # Saturday and Sunday
    assert "Monday 16 March" in html and "Sunday 22 March" in html


def test_export_csv_and_xlsx(client_for, supervisor, history):
    web = client_for(supervisor)
    response = web.get("/staffing/export.csv", plan_query())
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="staffing-trafik-2026-03-17.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 32
    nine = next(row for row in rows if row["start"] == "09:00")
    assert float(nine["forecast_contacts"]) == pytest.approx(6)
    assert nine["agents_scheduled"] == ""
    response = web.get("/staffing/export.xlsx", plan_query())
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["plan"]
    assert sheet.max_row == 33
    assert sheet["A1"].value == "date"
    settings_sheet = {row[0]: row[1] for row in book["settings"].iter_rows(values_only=True)}
    assert settings_sheet["model"] == "Erlang C"
    assert settings_sheet["forecast_mape"] == pytest.approx(0)
    assert web.get("/staffing/export.pdf", plan_query()).status_code == 404


def test_the_workbook_carries_no_formula_from_a_name(client_for, supervisor, group, history):
    group.name = '=HYPERLINK("https://evil.example","Trafik")'
    group.save(update_fields=["name"])
    response = client_for(supervisor).get("/staffing/export.xlsx", plan_query())
    cell = next(row[1] for row in book_rows(response, "settings") if row[0].value == "answer_group")
    assert (cell.value, cell.data_type) == ("'" + group.name, "s")


def book_rows(response, sheet: str):
    return load_workbook(io.BytesIO(response.content))[sheet].iter_rows()


def what_if_post(**changes: str) -> dict[str, str]:
    data = {
        **plan_query(),
        "w-aht": "300",
        "w-closed_at_first_contact": "80",
        "w-patience": "120",
        "w-opens": "08:00",
        "w-closes": "15:00",
    }
    data.update({f"agents-2026-03-17T{k}": v for k, v in all_quarters("2").items()})
    data.update(changes)
    return data


def test_what_if_runs_in_the_background_and_shows_beside_the_plan(
    client_for, supervisor, group, history, django_capture_on_commit_callbacks
):
    web = client_for(supervisor)
    page = web.get("/staffing/what-if/", plan_query())
    assert page.status_code == 200
    assert 'name="agents-2026-03-17T09:00"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post("/staffing/what-if/", what_if_post())
    assert response.status_code == 302
    run = WhatIfRun.objects.get()
    assert run.status == RunStatus.DONE and run.progress == 1.0  # tasks run in process here
    assert run.answer_group == group and run.day == DAY
    plan_side, what_if_side = run.parameters["plan"], run.parameters["what_if"]
    # Closing at 15:00 moves the day's calls into the open intervals; the total is kept.
    assert sum(plan_side["calls"]) == pytest.approx(sum(what_if_side["calls"]))
    assert what_if_side["calls"][-4:] == [0.0, 0.0, 0.0, 0.0]
    assert what_if_side["on_phones"][:2] == [1, 1]  # 2 scheduled, 20 % shrinkage
    assert run.result["what_if"]["totals"]["abandon_rate"] > 0  # callers with patience hang up
    assert run.result["plan"]["totals"]["abandon_rate"] == 0  # the plan's callers wait
    html = web.get(response["Location"]).content.decode()
    assert "Per interval: plan / what-if" in html
    assert "300 s" in html and "08:00–15:00" in html


def test_what_if_with_bad_input_starts_nothing(client_for, supervisor, history):
    web = client_for(supervisor)
    response = web.post("/staffing/what-if/", what_if_post(**{"w-closes": "07:00", "w-aht": "0"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The center must close after it opens." in html
    assert "Ensure this value is greater than or equal to 1." in html
    response = web.post("/staffing/what-if/", what_if_post(**{"agents-2026-03-17T09:00": "x"}))
    assert response.status_code == 400
    assert "Agents at 09:00: enter a whole number." in response.content.decode()
    assert not WhatIfRun.objects.exists()


def test_a_running_what_if_shows_its_progress(client_for, supervisor, group):
    run = WhatIfRun.objects.create(
        answer_group=group,
        day=DAY,
        interval_minutes=15,
        parameters={},
        status=RunStatus.RUNNING,
        progress=0.4,
    )
    response = client_for(supervisor).get(
        f"/staffing/what-if/{run.pk}/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert '<progress id="run-progress" max="1" value="0.400">' in html
    assert 'hx-trigger="every 1s"' in html
    assert "<html" not in html


@pytest.fixture
def routed_center(group, agent, supervisor):
    """Trafik asks for "parking" in Swedish and overflows to Allmänt after 60 s; three
    kinds of agent: parking experts, all-rounders speaking Swedish and English, and
    English-only general agents."""
    general = AnswerGroup.objects.create(name="Allmänt", code="allmant")
    routing = RoutingSettings.objects.create(answer_group=group, skill="parking")
    OverflowStep.objects.create(routing=routing, after_seconds=60, to_group=general)
    RoutingSettings.objects.create(answer_group=general, skill="general")
    group.language = "sv"
    group.save(update_fields=["language"])
    people = [
        ({"parking": 3}, ["sv"]),
        ({"parking": 3}, ["sv"]),
        ({"parking": 1, "general": 2}, ["en", "sv"]),
        ({"general": 1}, ["en"]),
    ]
    for number, (skills, languages) in enumerate(people):
        person = UserFactory(username=f"person{number}", role=Role.AGENT, languages=languages)
        for skill, level in skills.items():
            AgentSkill.objects.create(agent=person, skill=skill, proficiency=level)
    inactive = UserFactory(username="gone", role=Role.AGENT, is_active=False)
    AgentSkill.objects.create(agent=inactive, skill="parking", proficiency=5)
    # A roster for Allmänt: 2 agents scheduled all day.
    RosterEntry.objects.create(
        answer_group=general,
        starts_at=local(DAY, 0),
        ends_at=local(DAY + timedelta(days=1), 0),
        agents=2,
        updated_by=supervisor,
    )
    return general


def test_what_if_simulates_the_answer_groups_as_routed_with_the_agents_skills(
    client_for, supervisor, group, history, routed_center, django_capture_on_commit_callbacks
):
    web = client_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post("/staffing/what-if/", what_if_post())
    assert response.status_code == 302
    run = WhatIfRun.objects.get()
    assert run.status == RunStatus.DONE, run.error
    center = run.parameters["center"]
    assert center["groups"] == [
        {
            "code": "trafik",
            "skill": "parking",
            "language": "sv",
            "overflow": [{"group": "allmant", "after_seconds": 60.0}],
        },
        {"code": "allmant", "skill": "general", "language": None, "overflow": []},
    ]
    # By skills, then languages; the inactive agent is not one of them.
    assert center["kinds"] == [
        {"skills": {"general": 1}, "languages": ["en"], "agents": 1},
        {"skills": {"general": 2, "parking": 1}, "languages": ["en", "sv"], "agents": 1},
        {"skills": {"parking": 3}, "languages": ["sv"], "agents": 2},
    ]
    allmant = center["others"]["allmant"]
    assert set(allmant["scheduled"]) == {2}  # its own roster, on both sides
    assert allmant["on_phones"][0] == 1  # 2 scheduled, 20 % shrinkage

    scenario = what_if_scenario(run.parameters, "what_if", interval_seconds=900)
    assert scenario is not None
    trafik, general = scenario.groups
    assert (trafik.name, trafik.skill, trafik.language) == ("trafik", "parking", "sv")
    assert trafik.overflow == (Overflow("allmant", 60.0),)
    assert list(trafik.calls) == run.parameters["what_if"]["calls"]
    assert list(general.calls) == allmant["calls"]
    teams = {team.name: team for team in scenario.teams}
    # Trafik's agents (2 a quarter on the phones at 09:00) come from the kinds who can take
    # parking in Swedish: the two experts and the all-rounder, 2:1.
    assert {teams[n].skills.get("parking") for n in ("trafik 1", "trafik 2")} == {1, 3}
    nine = run.parameters["labels"].index("09:00")
    on_phones = run.parameters["what_if"]["on_phones"][nine]
    assert sum(t.agents[nine] for n, t in teams.items() if n.startswith("trafik")) == on_phones
    # Allmänt's from every kind with the general skill (no language asked).
    assert {n for n in teams if n.startswith("allmant")} == {"allmant 1", "allmant 2"}

    for side in ("plan", "what_if"):
        figures = run.result[side]
        assert set(figures["groups"]) == {"trafik", "allmant"}
        assert figures["totals"]["offered"] == pytest.approx(figures["groups"]["trafik"]["offered"])
    html = web.get(response["Location"]).content.decode()
    assert "Per interval: plan / what-if" in html
    assert "Per answer group, as routed: plan / what-if" in html
    assert '<th scope="row">Allmänt</th>' in html  # the group's name, not its code
