"""Word search over letters (their name and the text read from them): an FTS5 table kept by
triggers on SQLite; a stored tsvector kept by a trigger, with a GIN index, on PostgreSQL.
Neither is a model field: like the cases' search they belong to search alone
(letters/selectors.py `letter_text_filter`)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE letters_letter_fts USING fts5(
        name, text, content='letters_letter', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0', prefix='3')""",
    """CREATE TRIGGER letters_letter_fts_insert AFTER INSERT ON letters_letter BEGIN
        INSERT INTO letters_letter_fts(rowid, name, text) VALUES (new.id, new.name, new.text);
    END""",
    """CREATE TRIGGER letters_letter_fts_delete AFTER DELETE ON letters_letter BEGIN
        INSERT INTO letters_letter_fts(letters_letter_fts, rowid, name, text)
        VALUES ('delete', old.id, old.name, old.text);
    END""",
    """CREATE TRIGGER letters_letter_fts_update AFTER UPDATE OF name, text ON letters_letter BEGIN
        INSERT INTO letters_letter_fts(letters_letter_fts, rowid, name, text)
        VALUES ('delete', old.id, old.name, old.text);
        INSERT INTO letters_letter_fts(rowid, name, text) VALUES (new.id, new.name, new.text);
    END""",
    "INSERT INTO letters_letter_fts(letters_letter_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS letters_letter_fts_update",
    "DROP TRIGGER IF EXISTS letters_letter_fts_delete",
    "DROP TRIGGER IF EXISTS letters_letter_fts_insert",
    "DROP TABLE IF EXISTS letters_letter_fts",
]
# Must match the document that LETTER_DOCUMENT_COLUMN in letters/selectors.py is searched with.
POSTGRES_FORWARD = [
    "ALTER TABLE letters_letter ADD COLUMN IF NOT EXISTS search_document tsvector",
    """CREATE OR REPLACE FUNCTION letters_letter_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document := to_tsvector('simple'::regconfig, NEW.name || ' ' || NEW.text);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER letters_letter_search_document
        BEFORE INSERT OR UPDATE OF name, text ON letters_letter
        FOR EACH ROW EXECUTE FUNCTION letters_letter_search_document()""",
    "UPDATE letters_letter SET search_document = to_tsvector('simple'::regconfig, name || ' ' || text)",
    "CREATE INDEX IF NOT EXISTS letter_search_document ON letters_letter USING gin (search_document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS letter_search_document",
    "DROP TRIGGER IF EXISTS letters_letter_search_document ON letters_letter",
    "DROP FUNCTION IF EXISTS letters_letter_search_document()",
    "ALTER TABLE letters_letter DROP COLUMN IF EXISTS search_document",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
