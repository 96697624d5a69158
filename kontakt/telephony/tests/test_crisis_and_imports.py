"""Crisis mode end to end in the services and pages; the CTI webhook; queue_log imports;
the wallboard and the live figures."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from kontakt.knowledge.tests.factories import make_article
from kontakt.telephony import selectors, services
from kontakt.telephony.models import Call, CallEvent, CrisisSwitch, Exchange, scoped_id

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parents[2] / "core" / "tests" / "data" / "queue_log.sample"


def test_crisis_on_pins_and_off_restores(supervisor, agent, client_for, published):
    from kontakt.live import bus

    sent = published
    storm = make_article("Stormen Aila: hämtningen är inställd")
    already = make_article("Vattenavstängning")
    already.pinned_at = already.updated_at
    already.save()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.crisis_switch_on(message="Stormen Aila", article=storm, by=supervisor)
    storm.refresh_from_db()
    assert storm.pinned_at is not None
    assert sent[-1] == (bus.CENTER, selectors.crisis_message(selectors.crisis_current()))
    assert sent[-1][1]["on"] and sent[-1][1]["article"]["title"] == storm.title
    desk = client_for(agent).get("/desk/").content.decode()
    assert "Stormen Aila" in desk and 'id="crisis-banner"' in desk
    # Changing the article while on: the first is unpinned, one pinned before stays pinned.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.crisis_switch_on(message="Stormen Aila, dag 2", article=already, by=supervisor)
    storm.refresh_from_db()
    assert storm.pinned_at is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.crisis_switch_off(by=supervisor)
    already.refresh_from_db()
    assert already.pinned_at is not None  # pinned before the crisis: left as it was
    assert sent[-1][1] == {"type": "crisis", "on": False, "message": "", "article": None}
    assert selectors.crisis_current() is None
    assert list(CrisisSwitch.objects.order_by("at", "id").values_list("on", flat=True)) == [
        True,
        True,
        False,
    ]
    desk = client_for(agent).get("/desk/").content.decode()
    assert "Stormen Aila" not in desk


def test_only_supervisors_switch_and_a_message_is_needed(supervisor, agent):
    with pytest.raises(PermissionDenied):
        services.crisis_switch_on(message="x", article=None, by=agent)
    with pytest.raises(ValidationError) as error:
        services.crisis_switch_on(message="  ", article=None, by=supervisor)
    assert "message" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.crisis_switch_off(by=supervisor)
    assert not CrisisSwitch.objects.exists()


def test_the_crisis_page_switches(client_for, supervisor):
    web = client_for(supervisor)
    assert web.get("/telephony/crisis/").status_code == 200
    response = web.post("/telephony/crisis/", {"switch": "on", "message": ""})
    assert response.status_code == 400
    response = web.post("/telephony/crisis/", {"switch": "on", "message": "Strömavbrott i centrum"})
    assert response.status_code == 302
    assert "Strömavbrott i centrum" in web.get("/telephony/crisis/").content.decode()
    assert web.post("/telephony/crisis/", {"switch": "off"}).status_code == 302
    assert selectors.crisis_current() is None


def test_the_generic_cti_webhook(groups, number):
    _exchange, key = services.exchange_create(name="cti")
    web = Client()
    url = f"/api/v1/telephony/cti/{key}"
    new = {
        "event": "newCall",
        "from": "46701740677",
        "to": "+46406280400",
        "direction": "in",
        "callId": "z1",
    }
    assert web.post(url, new).json() == {"accepted": 2, "ignored": ""}
    assert web.post(url, new).json() == {"accepted": 0, "ignored": ""}  # resent
    web.post(url, {"event": "answer", "callId": "z1", "user": "agent", "direction": "in"})
    web.post(url, {"event": "hangup", "callId": "z1", "cause": "normalClearing", "direction": "in"})
    call = Call.objects.get(call_id=scoped_id(Exchange.objects.get(), "z1"))
    assert (call.state, call.group_code) == ("answered", "avfall")
    out = {"event": "newCall", "callId": "z2", "direction": "out", "from": "1", "to": "2"}
    assert web.post(url, out).json()["accepted"] == 0
    bad = web.post(url, {"event": "explode", "callId": "z3"})
    assert bad.status_code == 400 and "event" in bad.json()["errors"]
    assert Client().post("/api/v1/telephony/cti/kx_wrong", new).status_code == 401


def test_queue_log_import_is_idempotent(groups):
    out = io.StringIO()
    call_command("queue_log_import", str(SAMPLE), stdout=out, stderr=io.StringIO(), verbosity=0)
    first = CallEvent.objects.count()
    assert first > 20 and "events added" in out.getvalue()
    calls = Call.objects.count()
    call_command(
        "queue_log_import", str(SAMPLE), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0
    )
    assert (CallEvent.objects.count(), Call.objects.count()) == (first, calls)
    assert set(CallEvent.objects.values_list("source", flat=True)) == {"queue_log"}


def test_queue_log_upload_in_the_admin(client_for, administrator, groups):
    web = client_for(administrator)
    url = "/admin/telephony/callevent/queue-log/"
    assert web.get(url).status_code == 200
    upload = SimpleUploadedFile("queue_log", SAMPLE.read_bytes(), content_type="text/plain")
    response = web.post(url, {"file": upload, "number": "+46406280400"})
    # The sample has lines that are no queue_log: the page reports them by number.
    assert response.status_code == 200
    assert "line 27:" in response.content.decode()
    assert CallEvent.objects.filter(source="queue_log").exists()


def test_the_wallboard_and_live_figures(
    client_for, api_client_for, supervisor, agent, groups, skilled
):
    web = client_for(supervisor)
    page = web.get("/telephony/wallboard/")
    assert page.status_code == 200 and b"Avfall och vatten" in page.content
    partial = web.get("/telephony/wallboard/", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="wallboard"')
    live = api_client_for(supervisor).get("/api/v1/stats/live")
    assert live.status_code == 200
    body = live.json()
    assert {g["code"] for g in body["groups"]} == {"avfall", "bygg", "arabic"}
    assert client_for(agent).get("/telephony/wallboard/").status_code == 403
    assert api_client_for(agent).get("/api/v1/stats/live").status_code == 403
