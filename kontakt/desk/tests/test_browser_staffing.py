"""In a real browser: a supervisor plans a day, stores a roster and asks a what-if question."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.cases.models import Contact, Outcome
from kontakt.directory.models import AnswerGroup
from kontakt.staffing.models import RosterEntry, RunStatus, WhatIfRun

from .test_browser import sign_in

pytestmark = pytest.mark.browser

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = date(2026, 3, 17)  # a Tuesday; the eight weeks before it hold no public holiday


def calls_history(municipality) -> AnswerGroup:
    """Eight weeks of calls about waste: a morning peak and a smaller one after lunch."""
    group = AnswerGroup.objects.create(name="Avfall och vatten", code="avfall-vatten")
    municipality.waste.answer_group = group
    municipality.waste.save(update_fields=["answer_group"])
    contacts = []
    day = DAY - timedelta(weeks=8)
    while day < DAY:
        if day.weekday() < 5:
            for hour, count in ((8, 4), (9, 12), (10, 10), (11, 6), (13, 7), (14, 5), (15, 3)):
                for n in range(count):
                    started = datetime.combine(day, time(hour, n * 60 // count), STOCKHOLM)
                    contacts.append(
                        Contact(
                            channel="phone",
                            started_at=started,
                            ended_at=started + timedelta(seconds=200),
                            agent=municipality.agent,
                            case_type=municipality.waste,
                            outcome=Outcome.CLOSED,
                        )
                    )
        day += timedelta(days=1)
    Contact.objects.bulk_create(contacts)
    return group


def test_supervisor_plans_rosters_and_asks_what_if(
    page: Page, live_server, municipality, shot, browser_errors
):
    group = calls_history(municipality)
    supervisor = User.objects.create_user(
        username="siv", password=municipality.password, first_name="Siv", last_name="Berg"
    )
    supervisor.groups.add(Group.objects.get_or_create(name=Role.SUPERVISOR.value)[0])
    base = live_server.url
    sign_in(page, base, supervisor, municipality.password)

    page.get_by_role("link", name="Staffing").click()
    page.select_option("#id_group", "avfall-vatten")
    page.fill("#id_day", DAY.isoformat())
    page.select_option("#id_interval", "30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#summary-heading")).to_contain_text("Tuesday 17 March 2026")
    expect(page.get_by_role("img", name="Forecast contacts per interval")).to_be_visible()
    expect(page.locator(".kt-plan-table tbody tr")).to_have_count(17)  # a day row and 16
    expect(page.locator(".kt-facts")).to_contain_text("200 s")  # the measured AHT

    # Fill the roster with the agents needed, then take one agent away at 09:00.
    page.get_by_role("button", name="Fill the roster with the agents to schedule").click()
    expect(page.locator(".ds-alert, [role=status], .kt-messages").first).to_contain_text(
        "Roster saved: 16 intervals."
    )
    nine = page.locator("#agents-2026-03-17T09\\:00")
    needed = int(nine.input_value())
    nine.fill(str(needed - 1))
    page.get_by_role("button", name="Save roster").click()
    expect(page.locator(".kt-facts")).to_contain_text("Projected service level")
    expect(page.locator("tr.kt-short")).to_have_count(1)
    assert RosterEntry.objects.filter(answer_group=group).count() == 16
    shot(page, "staffing-plan")

    # What if the center closed at 15:00 and calls took longer?
    page.get_by_role("link", name="What if…").first.click()
    page.fill("#id_w-aht", "260")
    page.fill("#id_w-closes", "15:00")
    page.get_by_role("button", name="Simulate").click()
    expect(page.locator("caption", has_text="Per interval: plan / what-if")).to_be_visible()
    expect(page.locator(".kt-facts")).to_contain_text("08:00–15:00")
    shot(page, "staffing-what-if")
    run = WhatIfRun.objects.get()
    assert run.status == RunStatus.DONE

    # While a run is going, the page shows its progress and reloads itself when it is done.
    WhatIfRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=0.5)
    page.reload()
    expect(page.locator("#run-progress")).to_have_attribute("value", "0.500")
    WhatIfRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=1.0)
    expect(page.locator("caption", has_text="Per interval: plan / what-if")).to_be_visible(
        timeout=5_000
    )
    assert browser_errors == []
