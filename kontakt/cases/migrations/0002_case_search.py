"""Full-text search over cases: FTS5 on SQLite, a GIN expression index on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE cases_case_fts USING fts5(
        subject, description, content='cases_case', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='3')""",
    """CREATE TRIGGER cases_case_fts_insert AFTER INSERT ON cases_case BEGIN
        INSERT INTO cases_case_fts(rowid, subject, description)
        VALUES (new.id, new.subject, new.description);
    END""",
    """CREATE TRIGGER cases_case_fts_delete AFTER DELETE ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, description)
        VALUES ('delete', old.id, old.subject, old.description);
    END""",
    """CREATE TRIGGER cases_case_fts_update AFTER UPDATE OF subject, description ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, subject, description)
        VALUES ('delete', old.id, old.subject, old.description);
        INSERT INTO cases_case_fts(rowid, subject, description)
        VALUES (new.id, new.subject, new.description);
    END""",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_case_fts_update",
    "DROP TRIGGER IF EXISTS cases_case_fts_delete",
    "DROP TRIGGER IF EXISTS cases_case_fts_insert",
    "DROP TABLE IF EXISTS cases_case_fts",
]
# Replaced by the stored search_document column of 0003.
POSTGRES_FORWARD = [
    """CREATE INDEX IF NOT EXISTS case_document ON cases_case USING gin (
        to_tsvector('simple'::regconfig, subject || ' ' || description))""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS case_document"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
