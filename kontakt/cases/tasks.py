"""Background work of cases: notices to residents, departments and handlers (notices.py
composes and records them; these tasks run it on the queue), and the periodic rounds that
retry notices, send the departments' digests and warn of cases due soon."""

from datetime import timedelta

from django.tasks import task

from kontakt.web.periodic import periodic

from . import notices
from .notices import notice_send


@task(queue_name="notifications")
def case_receipt_send(*, case_id: int) -> str:
    """The receipt of a new case to its resident."""
    notice = notices.case_receipt_send(case_id=case_id)
    return notice.state if notice else "none"


@task(queue_name="notifications")
def case_closed_notify(*, case_id: int) -> str:
    """The closing notice (with the satisfaction question) to the case's resident."""
    notice = notices.case_closed_notify(case_id=case_id)
    return notice.state if notice else "none"


@task(queue_name="notifications")
def case_forwarded_notify(*, event_id: int) -> int:
    """The forwarded-case notice to a department that wants one per case."""
    return len(notices.case_forwarded_notify(event_id=event_id))


@task(queue_name="notifications")
def contact_survey_send(*, contact_id: int) -> str:
    """The satisfaction question after a contact closed at first contact."""
    notice = notices.contact_survey_send(contact_id=contact_id)
    return notice.state if notice else "none"


@periodic(every=timedelta(minutes=1))
@task()
def notices_retry_due() -> int:
    """Every minute: enqueue the notices whose next try is due."""
    due = notices.notices_due()
    for notice_id in due:
        notice_send.enqueue(notice_id=notice_id)
    return len(due)


@periodic(every=timedelta(minutes=15))
@task()
def department_digests() -> int:
    """Every quarter hour: once the day's digest hour has passed, the departments' digests
    (made once a day)."""
    return len(notices.department_digests_send())


@periodic(every=timedelta(minutes=5))
@task()
def sla_warnings() -> int:
    """Every five minutes: warn of open cases due soon (once per due time)."""
    return len(notices.sla_warnings_send())
