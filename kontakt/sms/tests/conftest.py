"""Fixtures of the SMS tests: a configured webhook secret, a signed client, a resident who
texts, and the gateway as a real HTTP server on loopback."""

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from kontakt.directory.models import AnswerGroup
from kontakt.residents.tests.factories import ResidentFactory
from kontakt.residents.tests.sms_gateway import Gateway, sms_gateway
from kontakt.sms.signing import signature

SECRET = "webhook-secret-for-tests"


@pytest.fixture
def webhook_secret(settings) -> str:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SMS": {**settings.KONTAKT["SMS"], "WEBHOOK_SECRET": SECRET, "ANSWER_GROUP": "allmant"},
    }
    return SECRET


def signed_headers(body: bytes, *, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "X-Kontakt-Timestamp": timestamp,
        "X-Kontakt-Signature": signature(secret, timestamp, body),
    }


@pytest.fixture
def post_signed(webhook_secret, client: Client) -> Callable[..., Any]:
    def post(path: str, payload: Any, **headers: str) -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return client.post(
            path,
            body,
            content_type="application/json",
            headers={**signed_headers(body), **headers},
        )

    return post


@pytest.fixture
def group(db) -> AnswerGroup:
    return AnswerGroup.objects.create(name="Allmänt", code="allmant")


@pytest.fixture
def texter(db):
    """A resident who follows her cases by SMS."""
    return ResidentFactory(name="Karin Lindqvist", phones=["+46701234567"], preferred_channel="sms")


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    with sms_gateway() as running:
        settings.KONTAKT = {
            **settings.KONTAKT,
            "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "http", "URL": running.url + "/sms"},
        }
        yield running
