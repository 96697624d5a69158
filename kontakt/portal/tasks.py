"""Background work of the residents' pages."""

from datetime import timedelta

from django.tasks import task

from kontakt.web.periodic import periodic

from . import form_services


@periodic(every=timedelta(hours=1))
@task()
def held_uploads_clean() -> int:
    """Delete the web form's files held longer than a day."""
    return form_services.held_uploads_clean()
