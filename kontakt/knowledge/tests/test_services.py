"""Writing articles, their versions and flags; using them in contacts; import and export."""

from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from kontakt.accounts.roles import Role
from kontakt.accounts.tests.factories import UserFactory
from kontakt.cases import services as case_services
from kontakt.cases.models import Contact, Outcome
from kontakt.knowledge import selectors, services, transfer
from kontakt.knowledge.models import Article, ArticleFlag, ArticleRevision, ArticleUse, SearchGap
from kontakt.residents import sms
from kontakt.tests.intake import contact_log

from .factories import make_article

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)


def draft(department, **fields) -> services.ArticleDraft:
    values = {
        "title": "Grovavfall",
        "summary": "Lämna grovavfall på återvinningscentralen.",
        "body": "## Öppettider\n\nMåndag–fredag **10–19**.",
        "language": "sv",
        "owner_department": department,
        "visibility": "public",
        **fields,
    }
    return services.ArticleDraft(**values)


def test_an_article_is_saved_with_html_text_and_its_first_version(department_a, department_contact):
    article = services.article_save(
        draft=draft(department_a, links=[services.LinkDraft("Boka", "https://sjostad.example/b")]),
        by=department_contact,
        now=MONDAY,
    )
    assert article.translation_key == "grovavfall"
    assert (
        article.body_html == "<h2>Öppettider</h2>\n<p>Måndag–fredag <strong>10–19</strong>.</p>\n"
    )
    assert article.body_text == "Öppettider\nMåndag–fredag 10–19."
    assert [(link.label, link.url) for link in article.links.all()] == [
        ("Boka", "https://sjostad.example/b")
    ]
    (revision,) = article.revisions.all()
    assert (revision.version, revision.changed_by, revision.title) == (
        1,
        department_contact,
        "Grovavfall",
    )


def test_every_edit_is_a_new_version_with_who_changed_it(
    department_a, department_contact, supervisor
):
    article = services.article_save(draft=draft(department_a), by=department_contact)
    services.article_save(
        draft=draft(department_a, title="Grovavfall och farligt avfall", note="Farligt avfall"),
        article=article,
        by=supervisor,
    )
    article.refresh_from_db()
    assert article.version == 2 and article.title == "Grovavfall och farligt avfall"
    versions = list(selectors.article_revisions(article=article))
    assert [(r.version, r.changed_by, r.title, r.note) for r in versions] == [
        (2, supervisor, "Grovavfall och farligt avfall", "Farligt avfall"),
        (1, department_contact, "Grovavfall", ""),
    ]


def test_bad_input_says_what_is_wrong_and_stores_nothing(department_a, department_contact):
    bad = draft(
        department_a,
        title=" ",
        summary="",
        language="de",
        visibility="secret",
        links=[services.LinkDraft("", "javascript:alert(1)")],
    )
    with pytest.raises(ValidationError) as error:
        services.article_save(draft=bad, by=department_contact)
    assert set(error.value.message_dict) == {"title", "summary", "language", "visibility", "links"}
    assert Article.objects.count() == 0 and ArticleRevision.objects.count() == 0


def test_one_version_per_language_of_an_answer(department_a):
    services.article_save(draft=draft(department_a), by=None)
    with pytest.raises(ValidationError) as error:
        services.article_save(draft=draft(department_a, translation_key="grovavfall"), by=None)
    assert "language" in error.value.message_dict
    english = services.article_save(
        draft=draft(department_a, language="en", title="Bulky waste", translation_key="grovavfall"),
        by=None,
    )
    assert [a.language for a in selectors.translations_of(user=None, article=english)] == ["sv"]


def test_only_editors_of_the_owning_department_write_its_articles(
    department_a, department_b, department_contact, agent, handler, administrator
):
    for user in (agent, handler):
        with pytest.raises(PermissionDenied):
            services.article_save(draft=draft(department_a), by=user)
    with pytest.raises(PermissionDenied):
        services.article_save(draft=draft(department_b), by=department_contact)
    article = services.article_save(draft=draft(department_b), by=administrator)
    with pytest.raises(PermissionDenied):
        services.article_save(draft=draft(department_a), article=article, by=department_contact)


def test_a_flag_is_a_task_for_the_owner_with_a_due_date_and_an_email(
    department_a, department_contact, agent, django_capture_on_commit_callbacks
):
    department_contact.email = "agare@sjostad.example"
    department_contact.save()
    article = make_article("Grovavfall", department=department_a, owner=department_contact)
    with django_capture_on_commit_callbacks(execute=True):
        flag = services.article_flag(
            article=article, reason="outdated", comment="Nya öppettider", by=agent, now=MONDAY
        )
    assert flag.due_on == date(2026, 3, 7) and flag.assigned_to == department_contact
    assert list(selectors.article_tasks(user=department_contact)) == [flag]
    (sent,) = mail.outbox
    assert sent.to == ["agare@sjostad.example"] and "Grovavfall" in sent.subject
    assert "Nya öppettider" in sent.body


def test_a_flag_without_an_owner_goes_to_the_departments_contacts(
    department_a, agent, django_capture_on_commit_callbacks
):
    UserFactory(
        username="c1", role=Role.DEPARTMENT_CONTACT, department=department_a, email="c1@x.example"
    )
    article = make_article("Grovavfall", department=department_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_flag(article=article, reason="wrong", comment="", by=agent)
    assert mail.outbox[0].to == ["c1@x.example"]


def test_a_flag_needs_a_known_reason_and_missing_needs_a_comment(department_a, agent):
    article = make_article("Grovavfall", department=department_a)
    with pytest.raises(ValidationError) as error:
        services.article_flag(article=article, reason="review_due", comment="", by=agent)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.article_flag(article=article, reason="missing", comment=" ", by=agent)
    assert "comment" in error.value.message_dict
    assert ArticleFlag.objects.count() == 0


def test_revising_the_article_closes_its_flags(department_a, department_contact, agent):
    article = make_article("Grovavfall", department=department_a)
    flag = services.article_flag(article=article, reason="outdated", comment="", by=agent)
    services.article_save(draft=draft(department_a), article=article, by=department_contact)
    flag.refresh_from_db()
    assert flag.closed_at is not None and flag.closed_by == department_contact
    assert flag.closed_in_version == 2
    assert list(selectors.article_tasks(user=department_contact)) == []


def test_a_flag_can_be_closed_without_a_new_version(department_a, department_contact, agent):
    article = make_article("Grovavfall", department=department_a)
    flag = services.article_flag(article=article, reason="wrong", comment="", by=agent)
    with pytest.raises(PermissionDenied):
        services.article_flag_dismiss(flag=flag, by=agent)
    services.article_flag_dismiss(flag=flag, by=department_contact)
    with pytest.raises(ValidationError):
        services.article_flag_dismiss(flag=flag, by=department_contact)


def test_tasks_show_a_department_contact_their_own_department_only(
    department_a, department_b, department_contact, supervisor, agent
):
    mine = make_article("Grovavfall", department=department_a)
    other = make_article("Hemtjänst", department=department_b)
    for article in (mine, other):
        services.article_flag(article=article, reason="wrong", comment="", by=agent)
    assert [f.article for f in selectors.article_tasks(user=department_contact)] == [mine]
    assert len(selectors.article_tasks(user=supervisor)) == 2
    assert list(selectors.article_tasks(user=agent)) == []


def test_reviews_past_their_date_become_tasks_once(department_a):
    stale = make_article("Grovavfall", department=department_a, review_by=date(2026, 3, 1))
    make_article("Hemtjänst", department=department_a, review_by=date(2026, 3, 2))
    make_article("Utkast", department=department_a, review_by=date(2026, 1, 1), status="draft")
    (flag,) = services.articles_review_remind(now=MONDAY)
    assert (flag.article, flag.reason) == (stale, "review_due")
    assert services.articles_review_remind(now=MONDAY + timedelta(hours=1)) == []


def test_contacts_record_the_articles_used_and_closed_ones_count(department_a, agent, resident):
    used = make_article("Grovavfall", department=department_a)
    other = make_article("Hemtjänst", department=department_a)
    for outcome in (Outcome.CLOSED, Outcome.CLOSED_WITH_ORDER):
        contact_log(
            draft=case_services.ContactDraft(channel="phone", outcome=outcome, resident=resident),
            articles=[used, used],
            by=agent,
        )
    used.refresh_from_db()
    assert used.closed_contacts == 2
    assert ArticleUse.objects.filter(article=used, kind="linked").count() == 2
    assert other.uses.count() == 0


def test_a_failed_contact_records_no_use(department_a, agent):
    used = make_article("Grovavfall", department=department_a)
    with pytest.raises(ValidationError):
        contact_log(
            draft=case_services.ContactDraft(channel="fax", outcome="closed"),
            articles=[used],
            by=agent,
        )
    assert ArticleUse.objects.count() == 0 and Contact.objects.count() == 0


def test_an_answer_is_sent_to_the_resident_by_email_and_by_sms(
    department_a, agent, resident, settings, django_capture_on_commit_callbacks
):
    settings.KONTAKT = {**settings.KONTAKT, "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "memory"}}
    sms.outbox.clear()
    article = make_article(
        "Grovavfall",
        "Lämna det på återvinningscentralen.",
        "Öppet **10–19**.",
        department=department_a,
        links=[services.LinkDraft("Karta", "https://sjostad.example/karta")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.article_send(article=article, resident=resident, channel="email", by=agent)
    (sent,) = mail.outbox
    assert sent.to == ["karin@example.se"] and sent.subject == "Grovavfall"
    assert "Öppet 10–19." in sent.body and "https://sjostad.example/karta" in sent.body
    with django_capture_on_commit_callbacks(execute=True):
        services.article_send(article=article, resident=resident, channel="sms", by=agent)
    (message,) = sms.outbox
    assert message.to == "+46701234567" and "Lämna det" in message.text
    assert ArticleUse.objects.filter(resident=resident).count() == 2


def test_an_internal_article_is_never_sent(department_a, agent, resident):
    article = make_article("Rutin", department=department_a, visibility="internal")
    with pytest.raises(ValidationError) as error:
        services.article_send(article=article, resident=resident, channel="email", by=agent)
    assert "article" in error.value.message_dict
    assert mail.outbox == []


def test_the_file_sms_backend_writes_a_line_a_message(settings, tmp_path):
    settings.KONTAKT = {
        **settings.KONTAKT,
        "SMS": {**settings.KONTAKT["SMS"], "BACKEND": "file", "FILE_PATH": str(tmp_path)},
    }
    sms.send_sms(to="+4612345", text="Hej")
    (written,) = tmp_path.glob("*.jsonl")
    assert '"to": "+4612345"' in written.read_text()


def test_only_supervisors_pin(department_a, agent, supervisor):
    article = make_article("Storm", department=department_a)
    with pytest.raises(PermissionDenied):
        services.article_pin(article=article, by=agent)
    services.article_pin(article=article, by=supervisor)
    assert selectors.pinned_articles(user=agent) == [article]


# Import and export ------------------------------------------------------------------------

MARKDOWN = """---
title: Missad sophämtning
language: sv
translation_key: sophamtning-missad
case_types: [parkering]
departments: [gata, social]
owner: contact
visibility: public
summary: Anmäl senast dagen efter.
keywords: [soptunna, sopkärl]
links:
  - label: Felanmälan
    url: https://sjostad.example/felanmalan
review_by: 2027-06-30
---
## Så gör du

Anmäl i **e-tjänsten**.
"""


def test_a_markdown_file_imports_with_everything_it_says(
    tmp_path, parking_type, department_a, department_b, department_contact
):
    (tmp_path / "a.md").write_text(MARKDOWN)
    report = transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    assert (report.created, report.errors) == (1, [])
    article = Article.objects.get()
    assert (article.owner_department, list(article.departments.all())) == (
        department_a,
        [department_b],
    )
    assert list(article.case_types.all()) == [parking_type]
    assert article.owner == department_contact and article.review_by == date(2027, 6, 30)
    assert article.keywords == "soptunna, sopkärl" and article.is_public
    again = transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_export_and_import_give_back_the_same_articles(
    tmp_path, parking_type, department_b, department_contact
):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.md").write_text(MARKDOWN)
    call_command("knowledge_import", str(tmp_path / "in"), verbosity=0)
    call_command("knowledge_export", str(tmp_path / "out"), stdout=StringIO())
    call_command("knowledge_export", str(tmp_path / "all.csv"), stdout=StringIO())
    exported = (tmp_path / "out" / "sophamtning-missad.sv.md").read_text()
    written, original = (
        transfer.read_markdown(exported, "x").data,
        transfer.read_markdown(MARKDOWN, "y").data,
    )
    # The export also names the defaults (status, a link's kind) that the file left out.
    assert written == {
        **original,
        "status": "published",
        "links": [{**original["links"][0], "kind": "e_service"}],
    }
    for source in (tmp_path / "out", tmp_path / "all.csv"):
        report = transfer.articles_import(transfer.read_paths([source]), by=None)
        assert (report.unchanged, report.errors) == (1, [])


def test_a_csv_file_imports_each_row_and_reports_bad_ones(tmp_path, department_a):
    (tmp_path / "faq.csv").write_text(
        "title,language,departments,summary,body,links,visibility\n"
        'Öppettider,sv,gata,Vi har öppet 8–16.,"## Tider\n\nVardagar.",'
        '"Kontakt | https://sjostad.example/kontakt",public\n'
        "Utan avdelning,sv,,Saknar ägare.,,,\n"
        "Fel språk,xx,gata,Något.,,,\n"
    )
    report = transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    assert report.created == 1
    assert [error.split(":")[1] for error in report.errors] == ["3", "4"]
    assert "departments" in report.errors[0] and "language" in report.errors[1]
    assert Article.objects.get().links.get().url == "https://sjostad.example/kontakt"


def test_the_import_command_fails_with_the_errors(tmp_path, department_a):
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nText")
    with pytest.raises(CommandError):
        call_command("knowledge_import", str(tmp_path), verbosity=0, stderr=StringIO())
    with pytest.raises(CommandError):
        call_command("knowledge_import", str(tmp_path / "nothing-here"))


def test_the_demo_articles_import_without_errors(db):
    from kontakt.demo.seed import ARTICLES_DIR, seed_configuration, seed_staff

    seed_configuration()
    seed_staff()
    sources = list(transfer.read_paths([Path(ARTICLES_DIR)]))
    report = transfer.articles_import(sources, by=None)
    assert report.errors == []
    languages = set(Article.objects.values_list("language", flat=True))
    assert {"sv", "nb", "en"} <= languages
    assert Article.objects.filter(visibility="internal").exists()


@pytest.mark.parametrize(
    "front_matter",
    [
        "departments: 5",
        "departments: [gata]\nlinks: [x]",
        "departments: [gata]\nkeywords: 7",
        "departments: [gata]\ntitle: [a, b]",
    ],
)
def test_a_malformed_file_is_reported_and_the_good_ones_are_searchable(
    tmp_path, department_a, agent, front_matter
):
    (tmp_path / "a-good.md").write_text(
        "---\ntitle: Hundlatriner\nlanguage: sv\ndepartments: [gata]\nsummary: Var de står.\n"
        "visibility: public\n---\nText."
    )
    (tmp_path / "b-bad.md").write_text(
        f"---\ntitle: Trasig\nlanguage: sv\nsummary: Något.\n{front_matter}\n---\nText."
    )
    (tmp_path / "c-date.md").write_text(
        "---\ntitle: Datum\nlanguage: sv\nsummary: x\ndepartments: [gata]\n"
        "review_by: 2024-13-45\n---\n"
    )
    report = transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    assert report.created == 1 and len(report.errors) == 2
    assert [error.split(":")[0].rsplit("/", 1)[1] for error in report.errors] == [
        "b-bad.md",
        "c-date.md",
    ]
    found = selectors.article_search(user=None, query="hundlatriner", language="sv")
    assert [hit.article.title for hit in found.hits] == ["Hundlatriner"]


def test_an_import_by_a_contact_of_another_department_is_refused_per_article(
    tmp_path, department_b, department_contact
):
    (tmp_path / "a.md").write_text(
        "---\ntitle: Hemtjänst\nlanguage: sv\ndepartments: [social]\nsummary: x\n---\n"
    )
    report = transfer.articles_import(transfer.read_paths([tmp_path]), by=department_contact)
    assert report.created == 0 and len(report.errors) == 1 and Article.objects.count() == 0


def test_a_file_without_a_translation_key_updates_its_article(tmp_path, department_a):
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: Hundlatriner\nlanguage: sv\ndepartments: [gata]\nsummary: x\n---\n"
    )
    transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    path.write_text(
        "---\ntitle: Hundlatriner\nlanguage: sv\ndepartments: [gata]\nsummary: y\n---\n"
    )
    report = transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    assert (report.updated, report.errors) == (1, [])
    assert Article.objects.get().summary == "y"


def test_a_review_is_due_even_beside_other_open_flags_and_an_old_review(department_a, agent):
    stale = make_article("Grovavfall", department=department_a, review_by=date(2026, 3, 1))
    (old,) = services.articles_review_remind(now=MONDAY)
    services.article_flag_dismiss(flag=old, by=UserFactory(role=Role.ADMINISTRATOR))
    services.article_flag(article=stale, reason="wrong", comment="", by=agent)
    (again,) = services.articles_review_remind(now=MONDAY + timedelta(days=1))
    assert again.article == stale and again.reason == "review_due"


def test_a_gap_keeps_no_control_characters(db):
    services.search_gap_record(query="båt\x00plats\n", language="sv", case_type=None)
    assert SearchGap.objects.get().query == "båt plats"
