"""A partial index of open cases by department and due time: the department queue.

department_queue() asks for a department's cases that are not closed, oldest due first.
The case_queue index (department, status, due_at) cannot give that order for "status is
not closed", so with a million cases PostgreSQL read the whole table for each queue page
(0.4 s). Open cases are a small share of all cases; this index holds only them, in the
queue's order, and also serves the page count. The predicate is written as the ORM writes
the filter (`NOT (status = 'closed')`) so that SQLite, which matches predicates literally,
uses it too. Like the search objects of 0002 and 0003 it is not declared on the model.
"""

from django.db import migrations

FORWARD = """CREATE INDEX IF NOT EXISTS case_open_queue
    ON cases_case (department_id, due_at, created_at) WHERE NOT (status = 'closed')"""
BACKWARD = "DROP INDEX IF EXISTS case_open_queue"


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_search_document")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
