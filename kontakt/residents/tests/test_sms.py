"""The SMS gateway's backends; the HTTP one against a real gateway on loopback."""

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest

from kontakt.residents import sms

from .sms_gateway import sms_gateway


@pytest.fixture
def gateway_settings(settings):
    def configure(**values: str) -> None:
        settings.KONTAKT = {
            **settings.KONTAKT,
            "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "http", "SENDER": "Kommunen", **values},
        }

    return configure


def test_json_post_by_default_with_the_gateways_id_and_the_parts(gateway_settings) -> None:
    with sms_gateway() as gateway:
        gateway_settings(URL=gateway.url + "/messages", TOKEN="s3cret")
        sent = sms.send_sms(to="+46701234567", text="Hej! Ärendet är klart. " * 10)
    (request,) = gateway.received
    assert (request.method, request.path) == ("POST", "/messages")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert json.loads(request.body) == {
        "to": "+46701234567",
        "from": "Kommunen",
        "text": "Hej! Ärendet är klart. " * 10,
    }
    # 230 GSM characters: two parts of at most 153.
    assert sent == sms.SmsSent(gateway_id="gw-1", parts=2)


def test_a_url_template_is_filled_url_encoded_and_asked_by_get(gateway_settings) -> None:
    with sms_gateway() as gateway:
        gateway_settings(
            URL=gateway.url + "/send?user=kommun&to={to}&from={sender}&msg={text}", METHOD="GET"
        )
        sent = sms.send_sms(to="+4791234567", text="Hei & hå? 50% 😀 {to}")
    (request,) = gateway.received
    assert request.method == "GET" and request.body == b""
    query = parse_qs(urlsplit(request.path).query)
    assert query == {
        "user": ["kommun"],
        "to": ["+4791234567"],
        "from": ["Kommunen"],
        # The text's own braces are not placeholders: it is filled in last, encoded.
        "msg": ["Hei & hå? 50% 😀 {to}"],
    }
    assert sent.gateway_id == "gw-1" and sent.parts == 1


def test_a_url_template_with_a_post_body(gateway_settings) -> None:
    with sms_gateway() as gateway:
        gateway.answer = json.dumps({"messages": [{"message_id": 42}]}).encode()
        gateway_settings(
            URL=gateway.url + "/api/{sender}",
            METHOD="POST",
            BODY="to={to}&text={text}&flash=0",
        )
        sent = sms.send_sms(to="+46701234567", text="Åtta öl, tack")
    (request,) = gateway.received
    assert (request.method, request.path) == ("POST", "/api/Kommunen")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.body.decode()) == {
        "to": ["+46701234567"],
        "text": ["Åtta öl, tack"],
        "flash": ["0"],
    }
    assert sent.gateway_id == "42"


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_an_error_status_is_an_sms_error_naming_it(gateway_settings, status) -> None:
    with sms_gateway() as gateway:
        gateway.status = status
        gateway.answer = b'{"error": "no"}'
        gateway_settings(URL=gateway.url + "/messages")
        with pytest.raises(sms.SmsError, match=f"answered {status}"):
            sms.send_sms(to="+46701234567", text="Hej")
    assert len(gateway.received) == 1


def test_an_unreachable_gateway_is_an_sms_error(gateway_settings) -> None:
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway_settings(URL=f"http://127.0.0.1:{port}/messages")
    with pytest.raises(sms.SmsError, match="could not be reached"):
        sms.send_sms(to="+46701234567", text="Hej")


@pytest.mark.parametrize(
    ("answer", "gateway_id"),
    [
        (b'{"id": "abc-1"}', "abc-1"),
        (b'{"message_id": 7}', "7"),
        (b'{"messageId": "x"}', "x"),
        (b'[{"id": "first"}, {"id": "second"}]', "first"),
        (b'{"id": true}', ""),
        (b'{"id": ""}', ""),
        (b"OK", ""),
        (b"", ""),
        (b'{"id": "' + b"9" * 300 + b'"}', "9" * 100),
    ],
)
def test_the_gateways_id_from_its_answer(answer, gateway_id) -> None:
    assert sms.gateway_id_of(answer) == gateway_id


def test_an_answer_without_an_id_still_counts_as_sent(gateway_settings) -> None:
    with sms_gateway() as gateway:
        gateway.answer = b"OK"
        gateway_settings(URL=gateway.url + "/messages")
        assert sms.send_sms(to="+46701234567", text="Hej") == sms.SmsSent("", 1)


def test_a_method_other_than_get_or_post_is_refused(gateway_settings) -> None:
    gateway_settings(URL="http://127.0.0.1:9/send?to={to}", METHOD="DELETE")
    with pytest.raises(sms.SmsError, match="GET or POST"):
        sms.send_sms(to="+46701234567", text="Hej")


def test_the_file_backend_writes_a_line_with_its_id(settings, tmp_path) -> None:
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "file", "FILE_PATH": str(tmp_path)},
    }
    sent = sms.send_sms(to="+46701234567", text="😀" * 40)
    (written,) = tmp_path.glob("*.jsonl")
    line = json.loads(written.read_text(encoding="utf-8"))
    assert line["id"] == sent.gateway_id and sent.gateway_id.startswith("file-")
    assert line["parts"] == sent.parts == 2


def test_the_memory_backend_keeps_the_message_with_its_id(settings) -> None:
    settings.KONTAKT = {**settings.KONTAKT, "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "memory"}}
    sms.outbox.clear()
    sent = sms.send_sms(to="+46701234567", text="Hej")
    (message,) = sms.outbox
    assert (message.to, message.gateway_id, message.parts) == ("+46701234567", sent.gateway_id, 1)
