"""The residents' web form over HTTP: the two steps, a submission through the intake with its
files, every check of the fields, the limits and the challenge, and nothing lost."""

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from PIL import Image

from kontakt.cases.links import case_link_open
from kontakt.cases.models import Attachment, Case, CaseType, CaseTypeAttribute, Contact
from kontakt.portal import files, form_services
from kontakt.portal.form_services import challenge_issue, leading_zero_bits
from kontakt.portal.models import HeldUpload
from kontakt.portal.tests.form_fixtures import PDF, jpeg_with_gps, png_bytes, upload

BITS = 6


@pytest.fixture(autouse=True)
def _form_settings(settings):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "WEB_FORM": {
            "ATTACHMENTS_MAX": 3,
            "PER_ADDRESS_PER_HOUR": 5,
            "PER_NETWORK_PER_HOUR": 8,
            "CHALLENGE_BITS": BITS,
        },
        "CENTER_PHONE": "0910-73 50 00",
        "SITE_URL": "https://kommun.example",
    }


def solve(token: str, bits: int = BITS) -> str:
    counter = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{counter}".encode()).digest()) < bits:
        counter += 1
    return str(counter)


def challenge_of(page: str) -> str:
    found = re.search(r'name="pow_challenge" value="([^"]+)"', page)
    assert found, "the page carries no challenge"
    return found.group(1)


def filled(case_type: CaseType, **changes: object) -> dict[str, object]:
    token = challenge_issue().token
    data: dict[str, object] = {
        "attribute[lamp]": "GL-1234",
        "attribute[fault]": "dark",
        "attribute[seen]": "2026-12-01T18:30",
        "address": "Storgatan 12, Sjöstad",
        "latitude": "59.329300",
        "longitude": "18.068600",
        "description": "Lampan utanför porten är släckt sedan i måndags.\nDet är mörkt.",
        "name": "Ada Exempel",
        "feedback_channel": "email",
        "email": "ada@example.se",
        "phone": "",
        "consent": "on",
        "website": "",
        "pow_challenge": token,
        "pow_solution": solve(token),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def send(client: Client, case_type: CaseType, data: dict, address: str = "198.51.100.7"):
    return client.post(f"/form/{case_type.code}/", data, REMOTE_ADDR=address)


# The two steps -------------------------------------------------------------------------


@pytest.mark.django_db
def test_step_one_lists_the_published_types_by_group(client, street_light, parking_type):
    hidden = CaseType.objects.create(
        name="Internt ärende", code="internt", department=street_light.department
    )
    retired = CaseType.objects.create(
        name="Gammal typ",
        code="gammal",
        department=street_light.department,
        published=True,
        active=False,
    )

    page = client.get("/form/").content.decode()

    assert "Gator och trafik" in page
    assert street_light.public_description in page
    assert 'href="/form/gatlampa/"' in page
    for absent in (hidden, retired, parking_type):
        assert f"/form/{absent.code}/" not in page


@pytest.mark.django_db
def test_step_two_shows_the_answer_first_then_the_questions(client, street_light, lamp_answer):
    page = client.get("/form/gatlampa/").content.decode()

    assert page.index("Gatlampor som inte lyser") < page.index('id="web-form"')
    assert 'href="/form/gatlampa/answered/"' in page
    assert "Did this answer your question?" in page
    for label in ("Stolpens nummer", "Vad är fel?", "När såg du det?", "Address or place"):
        assert label in page
    assert 'type="datetime-local"' in page
    assert 'name="pow_challenge"' in page and 'data-bits="6"' in page
    assert client.get("/form/gatlampa/answered/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/form/nothing/", "/form/internt/", "/form/thanks/"])
def test_what_is_not_published_is_not_found(client, street_light, url):
    CaseType.objects.create(name="Internt", code="internt", department=street_light.department)

    answer = client.get(url)

    assert answer.status_code == 404
    assert "We could not find that page" in answer.content.decode()


@pytest.mark.django_db
def test_a_case_type_without_a_place_asks_for_none(client, street_light):
    street_light.ask_location = False
    street_light.save()

    page = client.get("/form/gatlampa/").content.decode()

    assert 'name="address"' not in page and 'name="latitude"' not in page


# A submission ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_submission_files_a_forwarded_case_through_the_intake(client, street_light):
    photo = upload("lampa.jpg", jpeg_with_gps(), "image/jpeg")
    answer = send(client, street_light, {**filled(street_light), "attachments": [photo]})

    assert answer.status_code == 302, answer.content.decode()[:2000]
    case = Case.objects.get()
    contact = Contact.objects.get()
    assert contact.channel == "web_form" and contact.outcome == "forwarded"
    assert contact.agent is None and contact.case == case
    assert case.case_type == street_light and case.department == street_light.department
    assert case.subject == "Lampan utanför porten är släckt sedan i måndags."
    assert case.description.endswith("Det är mörkt.")
    assert case.feedback_channel == "email"
    assert case.attributes == {"lamp": "GL-1234", "fault": "dark", "seen": "2026-12-01T18:30:00"}
    assert (str(case.latitude), str(case.longitude)) == ("59.329300", "18.068600")
    assert case.address == "Storgatan 12, Sjöstad"
    assert case.resident.name == "Ada Exempel"
    assert case.resident.emails.get().address == "ada@example.se"
    assert case.due_at is not None
    attachment = case.attachments.get()
    assert attachment.name == "lampa.jpg" and attachment.content_type == "image/jpeg"
    assert attachment.uploaded_by is None

    assert answer["Location"] == "/form/thanks/"
    thanks = client.get(answer["Location"])
    page = thanks.content.decode()
    assert case.reference in page
    assert street_light.next_steps in page
    link = re.search(r'href="https://kommun.example/my/c/([^/"]+)/"', page)
    assert link and case_link_open(token=link.group(1)) == case


@pytest.mark.django_db
def test_sms_and_my_pages_are_ways_to_answer_too(client, street_light):
    sms = send(
        client,
        street_light,
        filled(street_light, feedback_channel="sms", email="", phone="070-123 45 67"),
    )
    mine = send(client, street_light, filled(street_light, feedback_channel="my_pages", email=""))

    assert sms.status_code == mine.status_code == 302
    by_sms, on_my_pages = Case.objects.order_by("pk")
    assert by_sms.feedback_channel == "sms"
    assert by_sms.resident.phones.get().number == "+46701234567"
    assert on_my_pages.feedback_channel == "my_pages"


@pytest.mark.django_db
def test_the_case_and_its_files_are_filed_all_or_nothing(client, street_light, monkeypatch):
    calls = {"n": 0}
    original = form_services.case_attach

    def second_fails(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return original(**kwargs)

    monkeypatch.setattr(form_services, "case_attach", second_fails)
    files = [upload("a.pdf", PDF, "application/pdf"), upload("b.pdf", PDF, "application/pdf")]

    with pytest.raises(OSError):
        send(client, street_light, {**filled(street_light), "attachments": files})

    assert Case.objects.count() == Contact.objects.count() == Attachment.objects.count() == 0
    media = Path(form_services.HeldUpload.file.field.storage.location) / "cases"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# Every check of the fields ---------------------------------------------------------------

FIELD_ERRORS = [
    ("description", {"description": ""}, "Write what your matter is about."),
    ("description", {"description": "x" * 100_000}, "at most 5000 characters"),
    ("name", {"name": ""}, "Write your name."),
    ("name", {"name": "Ada\x00Exempel"}, "cannot be stored"),
    ("email", {"email": "inte-en-adress"}, "Give an e-mail address"),
    ("email", {"email": ""}, "Give the e-mail address we should write to."),
    ("phone", {"feedback_channel": "sms", "phone": ""}, "Give the mobile number"),
    ("phone", {"feedback_channel": "sms", "phone": "12"}, "Give a mobile number"),
    ("feedback_channel", {"feedback_channel": "pigeon"}, "Select a valid choice"),
    ("attribute[fault]", {"attribute[fault]": ""}, "Answer “Vad är fel?”"),
    ("attribute[fault]", {"attribute[fault]": "exploded"}, "Select a valid choice"),
    ("attribute[seen]", {"attribute[seen]": "9999-12-31T23:59"}, "Give a date and time"),
    ("attribute[seen]", {"attribute[seen]": "igår"}, "Give a date and time"),
    ("attribute[lamp]", {"attribute[lamp]": "\x00"}, "cannot be stored"),
    ("latitude", {"latitude": "200"}, "between -90 and 90"),
    ("longitude", {"longitude": "NaN"}, "between -180 and 180"),
    ("longitude", {"longitude": ""}, "Give both latitude and longitude"),
    ("address", {"address": "a" * 300}, "at most 200 characters"),
    ("consent", {"consent": None}, "Tick the box"),
    ("website", {"website": "https://spam.example"}, "Leave this field empty"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "changes", "message"), FIELD_ERRORS)
def test_every_field_refuses_what_cannot_be_right(client, street_light, field, changes, message):
    answer = send(client, street_light, filled(street_light, **changes))

    assert answer.status_code == 400
    page = answer.content.decode()
    assert message.lower() in page.lower()
    form = answer.context["form"]
    assert field in form.errors, form.errors
    assert Case.objects.count() == Contact.objects.count() == 0
    # Everything typed is still there (what was refused too, to be corrected).
    assert "Ada" in page or field == "name"
    assert "Lampan utanför porten" in page or field == "description"


@pytest.mark.django_db
def test_the_error_summary_links_to_each_field(client, street_light):
    page = send(client, street_light, filled(street_light, name="", description="")).content
    text = page.decode()

    assert 'id="error-summary"' in text
    assert 'href="#id_name"' in text and 'href="#id_description"' in text
    assert 'aria-invalid="true"' in text and 'aria-describedby="id_name-error"' in text


@pytest.mark.django_db
def test_a_hostile_post_gets_a_clear_answer_not_an_error(client, street_light):
    for data in (
        {},
        {"attribute[fault]": ["dark", "blinks"] * 300},
        filled(street_light, pow_challenge="x" * 5000, pow_solution="9" * 40),
        filled(street_light, feedback_channel=["email", "sms"]),
    ):
        answer = send(client, street_light, data)
        assert answer.status_code == 400
    too_many = "&".join(f"f{n}=x" for n in range(1500)).encode()
    for body in (
        b"description=%ED%A0%80&name=%00",
        b"\xff\xfe=\x00",
        b"a=" + b"%" * 5000,
        too_many,
    ):
        answer = client.post(
            "/form/gatlampa/", body, content_type="application/x-www-form-urlencoded"
        )
        assert answer.status_code == 400
    assert Case.objects.count() == 0


# Files -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_photo_loses_its_exif_and_gps_and_keeps_its_pixels(client, street_light):
    original = jpeg_with_gps(size=(80, 60))
    assert Image.open(io.BytesIO(original)).getexif()

    send(client, street_light, {**filled(street_light), "attachments": [upload("p.jpg", original)]})

    stored = Case.objects.get().attachments.get()
    with stored.file.open("rb") as file:
        data = file.read()
    image = Image.open(io.BytesIO(data))
    assert image.size == (80, 60)
    assert not image.getexif() and "exif" not in image.info
    assert b"Kamera AB" not in data and b"hemlig kommentar" not in data


@pytest.mark.django_db
def test_a_png_is_drawn_anew_and_what_follows_it_is_dropped(client, street_light):
    hidden = png_bytes() + b"<script>alert(1)</script>"

    send(client, street_light, {**filled(street_light), "attachments": [upload("x.png", hidden)]})

    with Case.objects.get().attachments.get().file.open("rb") as file:
        data = file.read()
    assert b"<script>" not in data and data.startswith(b"\x89PNG")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "not of a type"),
        ("empty.pdf", b"", "empty"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "could not be read"),
    ],
)
def test_a_file_is_judged_by_its_content(client, street_light, name, data, message):
    answer = send(
        client, street_light, {**filled(street_light), "attachments": [upload(name, data)]}
    )

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert "attachments" in answer.context["form"].errors
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_too_many_or_too_large_files_are_refused(client, street_light, settings):
    four = [upload(f"{n}.pdf", PDF) for n in range(4)]
    answer = send(client, street_light, {**filled(street_light), "attachments": four})
    assert answer.status_code == 400
    assert "at most 3 files" in answer.content.decode()
    # The three that fit are held for the next try.
    assert HeldUpload.objects.count() == 3

    settings.KONTAKT = {**settings.KONTAKT, "ATTACHMENT_MAX_BYTES": 1000}
    big = upload("big.pdf", PDF + b"0" * 2000)
    answer = send(client, street_light, {**filled(street_light), "attachments": [big]})
    assert answer.status_code == 400
    assert "larger than" in answer.content.decode()
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_files_are_held_when_the_form_comes_back_and_join_the_case_after(client, street_light):
    first = send(
        client,
        street_light,
        {**filled(street_light, name=""), "attachments": [upload("brev.pdf", PDF)]},
    )
    assert first.status_code == 400
    page = first.content.decode()
    tokens = re.findall(r'name="held" value="([^"]+)"', page)
    assert len(tokens) == 1 and "brev.pdf" in page
    assert HeldUpload.objects.count() == 1

    again = send(client, street_light, {**filled(street_light), "held": tokens})

    assert again.status_code == 302
    assert [a.name for a in Case.objects.get().attachments.all()] == ["brev.pdf"]
    assert HeldUpload.objects.count() == 0


@pytest.mark.django_db
def test_a_forged_held_token_brings_nothing(client, street_light):
    HeldUpload.objects.create(
        name="x.pdf", content_type="application/pdf", size=1, created_at=timezone.now()
    )
    answer = send(client, street_light, {**filled(street_light), "held": ["1", "abc:def"]})

    assert answer.status_code == 302
    assert Case.objects.get().attachments.count() == 0


@pytest.mark.django_db
def test_held_files_are_deleted_after_a_day(street_light):
    now = timezone.now()
    old = form_services.upload_hold(upload=upload("a.pdf", PDF), now=now - timedelta(days=2))
    form_services.upload_hold(upload=upload("b.pdf", PDF), now=now)
    path = Path(HeldUpload.objects.get(name="a.pdf").file.path)
    assert path.exists()

    assert form_services.held_uploads_clean(now=now) == 1

    assert list(HeldUpload.objects.values_list("name", flat=True)) == ["b.pdf"]
    assert not path.exists()
    assert form_services.held_open([old]) == []


# Limits and the challenge ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_address_is_limited_and_nothing_is_lost(client, street_light):
    for _ in range(5):
        assert send(client, street_light, filled(street_light)).status_code == 302

    answer = send(
        client,
        street_light,
        {**filled(street_light), "attachments": [upload("brev.pdf", PDF)]},
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "send it again after" in page and "0910-73 50 00" in page
    assert "Lampan utanför porten" in page and "brev.pdf" in page
    assert HeldUpload.objects.count() == 1
    assert Case.objects.count() == 5
    # Another network is not held back.
    assert send(client, street_light, filled(street_light), "203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_a_network_is_limited_across_its_addresses(client, street_light):
    for n in range(8):
        answer = send(client, street_light, filled(street_light), f"198.51.100.{n + 1}")
        assert answer.status_code == 302

    assert send(client, street_light, filled(street_light), "198.51.100.200").status_code == 400
    assert send(client, street_light, filled(street_light), "198.51.101.1").status_code == 302


@pytest.mark.django_db
def test_the_limits_count_the_address_behind_the_proxy(client, street_light, settings):
    settings.KONTAKT_PROXY_COUNT = 1
    for n in range(5):
        answer = client.post(
            "/form/gatlampa/",
            filled(street_light),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        )
        assert answer.status_code == 302
    answer = client.post(
        "/form/gatlampa/",
        filled(street_light),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7",
    )
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("198.51.100.7", "198.51.100.0/24"),
        ("2001:db8:abcd:12ff:1::1", "2001:db8:abcd:1200::/56"),
        ("::ffff:198.51.100.7", "198.51.100.0/24"),
        ("not an address", "not an address"),
    ],
)
def test_networks_are_ipv4_slash_24_and_ipv6_slash_56(address, network):
    assert form_services.network_of(address) == network


@pytest.mark.django_db
def test_without_javascript_the_form_waits_a_moment(client, street_light):
    now = timezone.now()
    fresh = challenge_issue(now=now).token
    answer = send(client, street_light, filled(street_light, pow_challenge=fresh, pow_solution=""))
    assert answer.status_code == 400
    assert "needs a few seconds" in answer.content.decode()
    # The same challenge comes back, so the time already spent counts.
    assert challenge_of(answer.content.decode()) == fresh

    waited = challenge_issue(now=now - form_services.NO_SCRIPT_WAIT).token
    answer = send(client, street_light, filled(street_light, pow_challenge=waited, pow_solution=""))
    assert answer.status_code == 302


@pytest.mark.django_db
def test_without_javascript_the_limits_are_half(client, street_light):
    past = timezone.now() - timedelta(minutes=1)

    def no_script():
        token = challenge_issue(now=past).token
        return filled(street_light, pow_challenge=token, pow_solution="")

    assert [send(client, street_light, no_script()).status_code for _ in range(3)] == [
        302,
        302,
        400,
    ]
    # A browser with JavaScript from the same address still has its own room.
    assert send(client, street_light, filled(street_light)).status_code == 302


@pytest.mark.django_db
def test_a_challenge_is_spent_once(client, street_light):
    data = filled(street_light)
    assert send(client, street_light, data).status_code == 302

    replayed = send(client, street_light, data)

    assert replayed.status_code == 400
    assert "safety check" in replayed.content.decode()
    assert Case.objects.count() == 1
    assert challenge_of(replayed.content.decode()) != data["pow_challenge"]


def test_the_challenge_is_verified(settings):
    cache.clear()
    settings.KONTAKT = {**settings.KONTAKT, "WEB_FORM": {**settings.KONTAKT["WEB_FORM"]}}
    now = timezone.now()
    token = challenge_issue(now=now).token
    good = solve(token)

    met = form_services.challenge_check(token=token, solution=good, now=now)
    assert met.scripted

    wrong = next(
        str(n)
        for n in range(1000)
        if leading_zero_bits(hashlib.sha256(f"{token}:{n}".encode()).digest()) < BITS
    )
    for bad_token, solution, reason in [
        (token, wrong, "invalid"),
        (token, "-1", "invalid"),
        (token, "1e5", "invalid"),
        (token[:-2] + "xx", good, "invalid"),
        ("", good, "invalid"),
        (challenge_issue(now=now - timedelta(hours=4)).token, "0", "expired"),
    ]:
        with pytest.raises(form_services.ChallengeRefused) as refused:
            form_services.challenge_check(token=bad_token, solution=solution, now=now)
        assert refused.value.reason == reason

    form_services.challenge_spend(met=met)
    with pytest.raises(form_services.ChallengeRefused) as refused:
        form_services.challenge_check(token=token, solution=good, now=now)
    assert refused.value.reason == "replayed"
    with pytest.raises(form_services.ChallengeRefused):
        form_services.challenge_spend(met=met)


def test_a_challenge_signed_for_something_else_is_refused():
    from django.core import signing

    forged = signing.dumps({"n": "x", "b": 0, "t": int(timezone.now().timestamp())})
    with pytest.raises(form_services.ChallengeRefused):
        form_services.challenge_check(token=forged, solution="0")


@pytest.mark.parametrize(
    ("digest", "bits"),
    [(b"\x00\x00\xff", 16), (b"\x00\x01", 15), (b"\x80", 0), (b"\x0f", 4), (b"\x00" * 32, 256)],
)
def test_leading_zero_bits(digest, bits):
    assert leading_zero_bits(digest) == bits


@pytest.mark.django_db
def test_the_resident_reads_the_form_in_their_language(client, street_light):
    client.cookies["django_language"] = "sv"
    answer = send(client, street_light, filled(street_light, description="x" * 6000))

    assert answer.status_code == 400
    page = answer.content.decode()
    assert '<html lang="sv"' in page
    # Django's own messages are translated already; the form's come with the .po files.
    assert "som mest 5000 tecken" in page


def test_a_photo_taken_sideways_is_turned_upright():
    image = Image.new("RGB", (40, 20), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)

    prepared = files.upload_prepare(upload("side.jpg", out.getvalue()))

    turned = Image.open(prepared)
    assert turned.size == (20, 40)
    assert not turned.getexif()


@pytest.mark.django_db
def test_a_form_that_keeps_coming_back_does_not_fill_the_disk(client, street_light):
    # Three files a form: four forms' worth (12 files) are held for an address an hour.
    for _ in range(4):
        files = [upload(f"{n}.pdf", PDF) for n in range(3)]
        answer = send(client, street_light, {**filled(street_light, name=""), "attachments": files})
        assert answer.status_code == 400
    assert HeldUpload.objects.count() == 12

    files = [upload("more.pdf", PDF)]
    answer = send(client, street_light, {**filled(street_light, name=""), "attachments": files})

    assert "choose them again" in answer.content.decode()
    assert HeldUpload.objects.count() == 12


@pytest.mark.django_db
def test_odd_case_type_settings_do_not_break_the_pages(client, street_light):
    street_light.public_description = "<script>alert(1)</script>" + "å" * 20_000
    street_light.group = "x" * 100
    street_light.next_steps = ""
    street_light.save()
    CaseTypeAttribute.objects.create(
        case_type=street_light,
        code="odd",
        datatype="multivaluelist",
        question="Välj",
        values=[1, "text", {"key": None}, {"name": "utan nyckel"}, {"key": "ok", "name": "OK"}],
    )

    assert client.get("/form/").status_code == 200
    page = client.get("/form/gatlampa/")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    answer = send(client, street_light, {**filled(street_light), "attribute[odd]": ["ok"]})
    assert answer.status_code == 302
    assert Case.objects.get().attributes["odd"] == ["ok"]


@pytest.mark.django_db
def test_held_files_from_several_tries_still_count_against_the_limit(client, street_light):
    tokens = [form_services.upload_hold(upload=upload(f"{n}.pdf", PDF)) for n in range(5)]

    answer = send(client, street_light, {**filled(street_light), "held": tokens})

    assert answer.status_code == 400
    assert "at most 3 files" in answer.content.decode()
    assert Case.objects.count() == 0
    assert len(re.findall(r'name="held"', answer.content.decode())) == 5
