"""The commands that stand in for the gateway: a message in, a receipt."""

import io
import json

import pytest
from django.core.management import call_command

from kontakt.cases import services as case_services
from kontakt.cases.models import CaseEventKind, Notice
from kontakt.cases.tests.factories import CaseFactory
from kontakt.sms.models import InboundSms

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_message_in_goes_on_the_case_and_its_receipt_marks_the_answer_delivered(
    settings, tmp_path, texter, parking_type, second_line, django_capture_on_commit_callbacks
):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "file", "FILE_PATH": str(tmp_path)},
    }
    case = CaseFactory(case_type=parking_type, resident=texter, by=second_line)
    assert _run("sms_receive", "--from", "070-123 45 67", "Hej!") == f"On case {case.reference}.\n"
    assert case.events.filter(kind=CaseEventKind.MESSAGE_IN, channel="sms").count() == 1
    assert InboundSms.objects.get().sender == "+46701234567"
    with django_capture_on_commit_callbacks(execute=True):
        event = case_services.case_add_message(
            case=case, body="Hej själv", direction="out", channel="sms", by=second_line
        )
    (outbox,) = tmp_path.glob("*.jsonl")
    sent = json.loads(outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert "Recorded on notice" in _run("sms_receipt", sent["id"], "delivered")
    event.refresh_from_db()
    assert event.delivery == "delivered"
    assert Notice.objects.get(gateway_id=sent["id"]).delivered_at is not None


def test_an_unknown_number_is_queued(webhook_secret, group):
    assert "Queued for an agent: " in _run("sms_receive", "--from", "+4791234567", "Hei")
