"""Case search on PostgreSQL: a stored tsvector column kept by a trigger, with a GIN index.

The expression index of 0002 made every row that the planner walks in `created_at` order
recompute to_tsvector (tens of microseconds a row): a search for a rare word over a million
cases took 0.4 s. A stored document is read, not computed, so the newest-first walk stays
cheap and the GIN index still serves rare words. The column is not a model field: like the
FTS5 table on SQLite it belongs to search alone, and a trigger (not a generated column) keeps
it so that later migrations may still change the subject and description columns.
"""

from django.db import migrations

# Must match the document that CASE_DOCUMENT_COLUMN in cases/selectors.py is searched with.
POSTGRES_FORWARD = [
    "ALTER TABLE cases_case ADD COLUMN IF NOT EXISTS search_document tsvector",
    """CREATE OR REPLACE FUNCTION cases_case_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document := to_tsvector('simple'::regconfig, NEW.subject || ' ' || NEW.description);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER cases_case_search_document
        BEFORE INSERT OR UPDATE OF subject, description ON cases_case
        FOR EACH ROW EXECUTE FUNCTION cases_case_search_document()""",
    "UPDATE cases_case SET search_document = to_tsvector('simple'::regconfig, subject || ' ' || description)",
    "CREATE INDEX IF NOT EXISTS case_search_document ON cases_case USING gin (search_document)",
    "DROP INDEX IF EXISTS case_document",
]
POSTGRES_BACKWARD = [
    """CREATE INDEX IF NOT EXISTS case_document ON cases_case USING gin (
        to_tsvector('simple'::regconfig, subject || ' ' || description))""",
    "DROP INDEX IF EXISTS case_search_document",
    "DROP TRIGGER IF EXISTS cases_case_search_document ON cases_case",
    "DROP FUNCTION IF EXISTS cases_case_search_document()",
    "ALTER TABLE cases_case DROP COLUMN IF EXISTS search_document",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_search")]

    operations = [migrations.RunPython(run(POSTGRES_FORWARD), run(POSTGRES_BACKWARD))]
