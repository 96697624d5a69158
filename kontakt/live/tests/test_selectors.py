"""Who receives which live topics."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kontakt.live.selectors import live_topics

pytestmark = pytest.mark.django_db

EVERY_STAFF_USER = ["user:{pk}", "center"]
WALLBOARD = [*EVERY_STAFF_USER, "supervisors"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agent", EVERY_STAFF_USER),
        ("second_line", EVERY_STAFF_USER),
        ("switchboard", EVERY_STAFF_USER),
        ("handler", EVERY_STAFF_USER),
        ("department_contact", EVERY_STAFF_USER),
        ("supervisor", WALLBOARD),
        ("administrator", WALLBOARD),
        ("no_role", []),
    ],
)
def test_live_topics_of_every_role(users, role, expected):
    user = users[role]
    assert live_topics(user) == [topic.format(pk=user.pk) for topic in expected]


def test_anonymous_and_inactive_users_receive_nothing(supervisor):
    assert live_topics(AnonymousUser()) == []
    supervisor.is_active = False
    assert live_topics(supervisor) == []
