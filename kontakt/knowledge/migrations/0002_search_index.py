"""Article search: an FTS5 table of stemmed text on SQLite; on PostgreSQL weighted tsvector
columns in the article's own language configuration (the whole article, GIN-indexed, and
its title, other words and summary for ranking), and trigram similarity
over the vocabulary for spelling corrections.

Both are written by `knowledge.search.index_articles`, not by triggers: SQLite's text is
stemmed in Python (FTS5 does not stem), and one explicit call serves both engines.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE knowledge_article_fts USING fts5(
        title, keywords, summary, body,
        tokenize='unicode61 remove_diacritics 0', prefix='3 5')""",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS knowledge_article_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE knowledge_article ADD COLUMN IF NOT EXISTS search_document tsvector",
    # Title, other words and summary alone: small enough to rank thousands of matches.
    "ALTER TABLE knowledge_article ADD COLUMN IF NOT EXISTS search_head tsvector",
    "CREATE INDEX IF NOT EXISTS article_search_document ON knowledge_article USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS term_word_trigram ON knowledge_term USING gin (word gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS term_word_trigram",
    "DROP INDEX IF EXISTS article_search_document",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_head",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_document",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
