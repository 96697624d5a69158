"""The knowledge API: one search for the desktop, integrations and residents' apps."""

import pytest
from django.test import Client

from kontakt.cases.models import Contact
from kontakt.knowledge.models import ArticleFlag, SearchGap

from .factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(department_a):
    public = make_article(
        "Bygglov för altan", "Låga altaner kräver inget bygglov.", department=department_a
    )
    internal = make_article(
        "Rutin altanfrågor",
        "Intern rutin för altan.",
        department=department_a,
        visibility="internal",
    )
    return public, internal


def test_a_resident_without_a_token_searches_public_articles_only(answers):
    public, internal = answers
    body = Client().get("/api/v1/knowledge/search", {"q": "altanen"}).json()
    assert [hit["id"] for hit in body["results"]] == [public.pk]
    hit = body["results"][0]
    assert hit["title_html"] == "Bygglov för <mark>altan</mark>"
    assert hit["public_url"] == f"http://testserver/answers/sv/{public.translation_key}/"
    assert Client().get(f"/api/v1/knowledge/articles/{internal.pk}").status_code == 404
    assert Client().get(f"/api/v1/knowledge/articles/{public.pk}").json()["title"] == public.title
    assert SearchGap.objects.count() == 0  # residents' searches are not staff gaps


def test_staff_search_every_published_article(api_client, answers):
    public, internal = answers
    body = api_client.get("/api/v1/knowledge/search", {"q": "altan", "lang": "sv"}).json()
    assert {hit["id"] for hit in body["results"]} == {public.pk, internal.pk}
    article = api_client.get(f"/api/v1/knowledge/articles/{internal.pk}").json()
    assert article["visibility"] == "internal" and article["public_url"] is None


def test_a_bad_token_is_refused_rather_than_taken_as_a_resident(answers):
    client = Client(headers={"Authorization": "Bearer nonsense"})
    assert client.get("/api/v1/knowledge/search", {"q": "altan"}).status_code == 401
    basic = Client(headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.get("/api/v1/knowledge/search", {"q": "altan"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "altan", "lang": "xx"}, "lang"),
        ({"q": "altan", "case_type": "nope"}, "case_type"),
        ({"q": "altan", "limit": "0"}, "limit"),
        ({"q": "a\x00"}, "q"),
    ],
)
def test_bad_search_parameters_get_field_messages(api_client, params, field):
    response = api_client.get("/api/v1/knowledge/search", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_messages_follow_the_callers_language(api_client):
    response = api_client.get("/api/v1/knowledge/search", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.json()["errors"]["q"] == ["Fältet måste fyllas i."]


def test_a_staff_search_that_finds_nothing_is_a_gap(api_client, parking_type):
    api_client.get("/api/v1/knowledge/search", {"q": "båtplats", "case_type": "parkering"})
    assert SearchGap.objects.get().case_type == parking_type


def test_flagging_through_the_api(api_client, answers):
    public, _internal = answers
    response = api_client.post(
        f"/api/v1/knowledge/articles/{public.pk}/flags",
        {"reason": "missing", "comment": "Inget om tak"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["reason"] == "missing"
    refused = api_client.post(
        f"/api/v1/knowledge/articles/{public.pk}/flags",
        {"reason": "missing"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "comment" in refused.json()["errors"]
    assert ArticleFlag.objects.count() == 1


def test_a_contact_logged_through_the_api_names_its_articles(api_client, answers):
    public, _internal = answers
    response = api_client.post(
        "/api/v1/contacts",
        {"channel": "phone", "outcome": "closed", "articles": [public.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert [use.article for use in Contact.objects.get().article_uses.all()] == [public]
    unknown = api_client.post(
        "/api/v1/contacts",
        {"channel": "phone", "outcome": "closed", "articles": [999_999]},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "articles" in unknown.json()["errors"]
    assert Contact.objects.count() == 1


def test_the_openapi_document_describes_the_search_with_an_example(api_client):
    document = api_client.get("/api/v1/openapi.json").json()
    search = document["paths"]["/api/v1/knowledge/search"]["get"]
    assert {p["name"] for p in search["parameters"]} == {"q", "lang", "case_type", "limit"}
    example = search["responses"]["200"]["content"]["application/json"]["example"]
    assert example["results"][0]["translation_key"] == "sophamtning-missad"
    assert "400" in search["responses"]
