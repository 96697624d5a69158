"""The gateway's webhooks: signed, refused with a JSON error when not, storing nothing."""

import json
import time

import pytest

from kontakt.sms.models import InboundSms

from .conftest import signed_headers

pytestmark = pytest.mark.django_db

INBOUND = "/sms/inbound/"
RECEIPTS = "/sms/receipts/"
MESSAGE = {"from": "+46709999999", "to": "72000", "text": "Hej, sopkärlet är trasigt", "id": "m1"}


def _post(client, body: bytes, headers: dict[str, str], path: str = INBOUND):
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_signed_message_is_stored(post_signed, group):
    response = post_signed(INBOUND, MESSAGE)
    assert response.status_code == 201
    stored = InboundSms.objects.get()
    assert (stored.gateway_id, stored.sender, stored.text) == (
        "m1",
        "+46709999999",
        "Hej, sopkärlet är trasigt",
    )
    assert response.json() == {"id": stored.pk, "state": "queued", "stored": True}


def test_the_webhooks_are_off_without_a_secret(client):
    body = json.dumps(MESSAGE).encode()
    for path in (INBOUND, RECEIPTS):
        response = _post(client, body, signed_headers(body, secret=""), path)
        assert response.status_code == 404 and "error" in response.json()
    assert not InboundSms.objects.exists()


@pytest.mark.parametrize("path", [INBOUND, RECEIPTS])
def test_a_missing_signature_is_401(webhook_secret, client, path):
    body = json.dumps(MESSAGE).encode()
    response = _post(client, body, {}, path)
    assert response.status_code == 401
    assert response.json()["error"] == "The request is not signed."
    headers = signed_headers(body)
    del headers["X-Kontakt-Timestamp"]
    assert _post(client, body, headers, path).status_code == 401
    assert not InboundSms.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        # Signed with another secret.
        lambda body: signed_headers(body, secret="not-the-secret"),
        # The signature of another body.
        lambda body: signed_headers(body + b" "),
        # The right digest without its prefix, or in capitals.
        lambda body: {
            **signed_headers(body),
            "X-Kontakt-Signature": signed_headers(body)["X-Kontakt-Signature"][7:],
        },
        # Signed ten minutes ago (a replay), or ten minutes ahead.
        lambda body: signed_headers(body, at=time.time() - 600),
        lambda body: signed_headers(body, at=time.time() + 600),
        # A timestamp that is no number; a signature with a NUL and non-ASCII.
        lambda body: {**signed_headers(body), "X-Kontakt-Timestamp": "yesterday"},
        lambda body: {**signed_headers(body), "X-Kontakt-Signature": "sha256=\x00ö"},
    ],
    ids=["secret", "body", "prefix", "old", "future", "timestamp", "garbage"],
)
def test_a_bad_signature_is_403_and_stores_nothing(webhook_secret, client, headers):
    body = json.dumps(MESSAGE).encode()
    response = _post(client, body, headers(body))
    assert response.status_code == 403 and response.json()["error"]
    assert not InboundSms.objects.exists()


def test_a_replay_of_an_old_signed_request_is_refused_though_its_signature_is_right(
    webhook_secret, client, group
):
    body = json.dumps(MESSAGE).encode()
    recorded = signed_headers(body, at=time.time() - 301)
    response = _post(client, body, recorded)
    assert response.status_code == 403
    assert "too old" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        (b'["a", "list"]', None),
        (b'"text"', None),
        (json.dumps({**MESSAGE, "id": ""}).encode(), "id"),
        (json.dumps({**MESSAGE, "id": "x" * 101}).encode(), "id"),
        (json.dumps({k: v for k, v in MESSAGE.items() if k != "from"}).encode(), "from"),
        (json.dumps({**MESSAGE, "from": {"a": 1}}).encode(), "from"),
        (json.dumps({**MESSAGE, "text": ["a"]}).encode(), "text"),
        (json.dumps({**MESSAGE, "received_at": "last tuesday"}).encode(), "received_at"),
        (json.dumps({**MESSAGE, "received_at": "2026-12-07T10:00:00"}).encode(), "received_at"),
        (b"\xff\xfe not utf-8", None),
    ],
)
def test_malformed_json_is_400_with_the_field_and_stores_nothing(
    webhook_secret, client, group, body, field
):
    response = _post(client, body, signed_headers(body))
    assert response.status_code == 400
    if field:
        assert field in response.json()["errors"]
    assert not InboundSms.objects.exists()


def test_a_huge_body_is_413_before_it_is_read(webhook_secret, client):
    body = json.dumps({**MESSAGE, "text": "a" * 70_000}).encode()
    response = _post(client, body, signed_headers(body))
    assert response.status_code == 413
    assert not InboundSms.objects.exists()


def test_nul_is_stripped_and_a_long_text_capped(post_signed, group):
    response = post_signed(
        INBOUND, {**MESSAGE, "text": "Hej\x00 då" + "x" * 6000, "from": "+4670\x009999999"}
    )
    assert response.status_code == 201
    stored = InboundSms.objects.get()
    assert stored.text.startswith("Hej då") and len(stored.text) == 5000
    assert stored.sender == "+46709999999"


def test_the_same_gateway_id_twice_is_stored_once(post_signed, group):
    first = post_signed(INBOUND, MESSAGE)
    again = post_signed(INBOUND, {**MESSAGE, "text": "something else"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["stored"] is False and again.json()["id"] == first.json()["id"]
    assert InboundSms.objects.get().text == MESSAGE["text"]


def test_a_get_is_refused(webhook_secret, client):
    assert client.get(INBOUND).status_code == 405


def test_a_receipt_for_an_unknown_id_is_accepted_and_ignored(post_signed):
    response = post_signed(RECEIPTS, {"id": "nobody-sent-this", "status": "delivered"})
    assert response.status_code == 200 and response.json() == {"recorded": False}


def test_a_receipt_without_a_status_is_400(post_signed):
    response = post_signed(RECEIPTS, {"id": "x"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
