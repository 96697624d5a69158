from django.http import HttpRequest

from .selectors import (
    may_log_contacts,
    may_plan_staffing,
    may_watch_queues,
    may_work_switchboard,
    sees_all_departments,
    user_roles,
    works_department_only,
)
from .signin import needs_second_factor


def staff_roles(request: HttpRequest) -> dict[str, object]:
    """What the navigation needs to know about the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or needs_second_factor(user):
        return {}  # (before the second factor: no staff navigation, no live stream)
    roles = user_roles(user)
    return {
        "may_watch_queues": may_watch_queues(user),
        "user_roles": sorted(role.label for role in roles),
        "may_log_contacts": may_log_contacts(user),
        "may_plan_staffing": may_plan_staffing(user),
        "may_work_switchboard": may_work_switchboard(user),
        "sees_all_departments": sees_all_departments(user),
        "works_department_only": works_department_only(user),
    }
