"""Logging filters: nothing a staff member typed into a search reaches the logs.

Searches are GET requests (so that results can be linked and reloaded), and their query
strings hold names, phone numbers and identity numbers. Django's development server logs
each request line in full; this filter drops the query string from it. (gunicorn's access
log is configured without query strings and referrers in gunicorn.conf.py.)
"""

import logging
import re

QUERY = re.compile(r"\?[^\s\"]*")


class DropQueryString(logging.Filter):
    """Removes `?…` from the request line of `django.server`'s records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (QUERY.sub("", record.args[0], count=1), *record.args[1:])
        return True
