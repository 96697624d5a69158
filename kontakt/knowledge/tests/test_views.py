"""The knowledge pages and the desktop's knowledge panel, through the test client."""

import pytest

from kontakt.cases.models import Contact
from kontakt.knowledge import services
from kontakt.knowledge.models import Article, ArticleFlag, SearchGap

from .factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulky(department_a, department_contact) -> Article:
    return make_article(
        "Grovavfall",
        "Lämna grovavfall på återvinningscentralen.",
        "Öppet **10–19**.\n\n<script>alert(1)</script>",
        department=department_a,
        owner=department_contact,
        links=[services.LinkDraft("Karta", "https://sjostad.example/karta")],
    )


def test_the_search_page_highlights_and_marks_internal_articles(client_for, agent, bulky):
    make_article("Rutin grovavfall", department=bulky.owner_department, visibility="internal")
    page = client_for(agent).get("/knowledge/", {"q": "grovavfallet"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>Grovavfall</mark>" in html and "Internal" in html


def test_a_search_that_finds_nothing_is_noted_for_the_gap_list(client_for, agent, parking_type):
    page = client_for(agent).get("/knowledge/", {"q": "båtplats", "case_type": parking_type.name})
    assert "No article answers" in page.content.decode()
    gap = SearchGap.objects.get()
    assert (gap.query, gap.case_type) == ("båtplats", parking_type)
    gaps = client_for(agent).get("/knowledge/gaps/").content.decode()
    assert "båtplats" in gaps and parking_type.name in gaps


def test_live_searches_leave_their_gap_to_the_contact(client_for, agent, parking_type):
    client = client_for(agent)
    for typed in ("båt", "båtpl", "båtplats"):
        client.get("/knowledge/", {"q": typed, "desk": "1"}, HTTP_HX_REQUEST="true")
    assert SearchGap.objects.count() == 0
    client.post(
        "/desk/contacts/",
        {
            "channel": "phone",
            "outcome": "closed",
            "priority": "2",
            "case_type": parking_type.name,
            "kb_gap": "båtplats",
        },
    )
    gap = SearchGap.objects.get()
    assert (gap.query, gap.case_type) == ("båtplats", parking_type)


def test_the_desk_panel_offers_use_and_send_for_a_resident(client_for, agent, bulky, resident):
    page = client_for(agent).get(
        "/knowledge/",
        {"q": "grovavfall", "desk": "1", "resident": resident.pk},
        HTTP_HX_REQUEST="true",
    )
    html = page.content.decode()
    assert "data-use-article" in html and "Send by e-mail" in html
    assert f'data-url="http://testserver/answers/sv/{bulky.translation_key}/"' in html
    assert "<html" not in html  # only the results, for htmx


def test_a_contact_logged_with_an_article_counts_its_use(client_for, agent, bulky, resident):
    response = client_for(agent).post(
        "/desk/contacts/",
        {
            "channel": "phone",
            "outcome": "closed",
            "priority": "2",
            "resident": resident.pk,
            "summary": "Grovavfall",
            "articles": [str(bulky.pk), "not-a-number", "99999"],
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert [use.article for use in contact.article_uses.all()] == [bulky]
    bulky.refresh_from_db()
    assert bulky.closed_contacts == 1


def test_a_refused_contact_keeps_the_articles_chosen(client_for, agent, bulky):
    response = client_for(agent).post(
        "/desk/contacts/", {"channel": "phone", "priority": "2", "articles": [str(bulky.pk)]}
    )
    assert response.status_code == 400
    assert f'data-used="{bulky.pk}"' in response.content.decode()
    assert Contact.objects.count() == 0


def test_the_article_page_shows_sanitised_text_links_and_versions(client_for, agent, bulky):
    html = client_for(agent).get(f"/knowledge/articles/{bulky.pk}/").content.decode()
    assert "<strong>10–19</strong>" in html and "<script>alert(1)</script>" not in html
    assert 'href="https://sjostad.example/karta"' in html
    # The edit link, not the word: a generated owner's name may contain "Edit".
    assert "Flag this article" in html and f"/knowledge/articles/{bulky.pk}/edit/" not in html


def test_flag_then_revise_end_to_end(client_for, agent, department_contact, bulky):
    agent_client = client_for(agent)
    response = agent_client.post(
        f"/knowledge/articles/{bulky.pk}/flag/", {"reason": "outdated", "comment": "Nya tider"}
    )
    assert response.status_code == 302
    owner = client_for(department_contact)
    tasks = owner.get("/knowledge/tasks/").content.decode()
    assert "Grovavfall" in tasks and "Nya tider" in tasks
    form = owner.get(f"/knowledge/articles/{bulky.pk}/edit/")
    assert form.status_code == 200
    saved = owner.post(
        f"/knowledge/articles/{bulky.pk}/edit/",
        {
            "title": "Grovavfall",
            "language": "sv",
            "translation_key": bulky.translation_key,
            "summary": "Lämna grovavfall på återvinningscentralen.",
            "body": "Öppet **10–20** från december.",
            "owner_department": bulky.owner_department_id,
            "owner": department_contact.pk,
            "visibility": "public",
            "status": "published",
            "links": "Karta | https://sjostad.example/karta",
            "note": "Nya öppettider",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    flag = ArticleFlag.objects.get()
    assert flag.closed_in_version == 2
    assert "Nothing to do." in owner.get("/knowledge/tasks/").content.decode()


def test_a_bad_edit_keeps_what_was_typed(client_for, department_contact, bulky):
    response = client_for(department_contact).post(
        f"/knowledge/articles/{bulky.pk}/edit/",
        {
            "title": "Nytt namn",
            "language": "sv",
            "summary": "",
            "owner_department": bulky.owner_department_id,
            "visibility": "public",
            "status": "published",
            "links": "bara en etikett",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Nytt namn"' in html and "label | https://address" in html
    bulky.refresh_from_db()
    assert bulky.title == "Grovavfall" and bulky.version == 1


def test_new_article_and_a_translation_of_it(client_for, department_contact, department_a):
    client = client_for(department_contact)
    response = client.post(
        "/knowledge/articles/new/",
        {
            "title": "Hundlatriner",
            "language": "sv",
            "summary": "Var finns hundlatriner?",
            "owner_department": department_a.pk,
            "visibility": "public",
            "status": "published",
        },
    )
    assert response.status_code == 302
    original = Article.objects.get()
    page = client.get("/knowledge/articles/new/", {"translate": original.pk})
    assert f'value="{original.translation_key}"' in page.content.decode()


def test_pinned_articles_show_on_every_desktop(client_for, agent, supervisor, bulky):
    client_for(supervisor).post(f"/knowledge/articles/{bulky.pk}/pin/")
    html = client_for(agent).get("/desk/").content.decode()
    assert 'id="pinned-articles"' in html and "Grovavfall" in html
    client_for(supervisor).post(f"/knowledge/articles/{bulky.pk}/pin/", {"pin": "0"})
    assert 'id="pinned-articles"' not in client_for(agent).get("/desk/").content.decode()


def test_sending_an_answer_from_the_desk(
    client_for, agent, bulky, resident, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(
            f"/knowledge/articles/{bulky.pk}/send/",
            {"resident": resident.pk, "channel": "email"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200 and "Karin Lindqvist" in response.content.decode()
    assert mail.outbox[0].to == ["karin@example.se"]
    refused = client_for(agent).post(
        f"/knowledge/articles/{bulky.pk}/send/",
        {"resident": resident.pk, "channel": "fax"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 400


@pytest.mark.parametrize("query", ["x" * 300, "\x00", "%", "\"'*()"])
def test_odd_search_input_never_fails(client_for, agent, query):
    assert client_for(agent).get("/knowledge/", {"q": query, "lang": "zz"}).status_code == 200
