"""Articles for tests, written through the service so that they are versioned and indexed."""

from typing import Any

from kontakt.directory.models import Department
from kontakt.directory.tests.factories import DepartmentFactory
from kontakt.knowledge import services
from kontakt.knowledge.models import Article


def make_article(
    title: str,
    summary: str = "",
    body: str = "",
    *,
    language: str = "sv",
    department: Department | None = None,
    visibility: str = "public",
    **fields: Any,
) -> Article:
    """A published article (public unless said); the department is made if none is given."""
    draft = services.ArticleDraft(
        title=title,
        summary=summary or title,
        body=body,
        language=language,
        owner_department=department or DepartmentFactory.create(),
        visibility=visibility,
        **fields,
    )
    return services.article_save(draft=draft, by=None)
