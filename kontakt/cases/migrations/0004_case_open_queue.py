"""A partial index of open cases by department and due time: the department queue.

department_queue() asks for a department's cases that are not closed, oldest due first.
The case_queue index (department, status, due_at) cannot give that order for "status is
not closed", so with a million cases PostgreSQL read the whole table for each queue page
(0.4 s). Open cases are a small share of all cases; this index holds only them, in the
queue's order, and also serves the page count. The predicate is written as the ORM writes
the filter (`NOT (status = 'closed')`) so that SQLite, which matches predicates literally,
uses it too.
"""

import django.db.models
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_search_document")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=django.db.models.Index(
                condition=~django.db.models.Q(status="closed"),
                fields=["department", "due_at", "created_at"],
                name="case_open_queue",
            ),
        )
    ]
