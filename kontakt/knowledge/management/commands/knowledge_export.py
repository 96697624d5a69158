"""kontakt knowledge_export TARGET: every article as Markdown files in a folder, or one CSV."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from kontakt.knowledge import transfer
from kontakt.knowledge.models import Article


class Command(BaseCommand):
    help = (
        "Write the knowledge base to a folder (one Markdown file per article, named "
        "<translation key>.<language>.md) or, for a TARGET ending in .csv, to one CSV file."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", type=Path)
        parser.add_argument("--language", help="Only articles in this language.")

    def handle(self, *args: Any, **options: Any) -> None:
        articles = Article.objects.all()
        if options["language"]:
            articles = articles.filter(language=options["language"])
        rows = list(transfer.export_queryset(articles))
        target: Path = options["target"]
        if target.suffix.lower() == ".csv":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(transfer.to_csv(rows), encoding="utf-8")
        else:
            target.mkdir(parents=True, exist_ok=True)
            for article in rows:
                name = f"{article.translation_key}.{article.language}.md"
                (target / name).write_text(transfer.to_markdown(article), encoding="utf-8")
        self.stdout.write(f"{len(rows)} articles written to {target}.")
