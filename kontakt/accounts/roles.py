"""The staff roles and what each may do; each role is a Django group of the same name."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    AGENT = "agent"
    SECOND_LINE = "second_line"
    SWITCHBOARD = "switchboard"
    HANDLER = "handler"
    DEPARTMENT_CONTACT = "department_contact"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.AGENT: _("Agent"),
    Role.SECOND_LINE: _("Second line"),
    Role.SWITCHBOARD: _("Switchboard operator"),
    Role.HANDLER: _("Department handler"),
    Role.DEPARTMENT_CONTACT: _("Department contact"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.ADMINISTRATOR: _("Administrator"),
}

# Roles whose work is the front line: they see every department's cases.
CENTER_ROLES = frozenset(
    {Role.AGENT, Role.SECOND_LINE, Role.SWITCHBOARD, Role.SUPERVISOR, Role.ADMINISTRATOR}
)
# Roles that work cases of their own department only.
DEPARTMENT_ROLES = frozenset({Role.HANDLER, Role.DEPARTMENT_CONTACT})
# Roles that may work (change status, close) any case, not only log and forward.
CASE_WORK_ANYWHERE = frozenset({Role.SECOND_LINE, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Roles that plan staffing: forecasts, rosters and what-if runs.
PLANS_STAFFING = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# Roles that write and change any department's knowledge articles, and pin one for a crisis.
EDITS_ANY_ARTICLE = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# Roles that write and change their own department's articles and work their flags.
EDITS_DEPARTMENT_ARTICLES = frozenset({Role.DEPARTMENT_CONTACT})
# Roles that take calls and chats: they have a state (ready, paused, …) and a screen-pop.
TAKES_CALLS = frozenset({Role.AGENT, Role.SECOND_LINE, Role.SWITCHBOARD, Role.SUPERVISOR})
# Roles that watch the queues live (the wallboard, live and historical service level) and
# switch the center into crisis mode.
WATCHES_QUEUES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# Roles that work the switchboard: the console, transfers, messages for any employee.
WORKS_SWITCHBOARD = frozenset({Role.SWITCHBOARD, Role.SUPERVISOR})
# Roles whose own API token may post what a telephone exchange posts (for trying it out; an
# exchange has a token of its own).
FEEDS_TELEPHONY = frozenset({Role.ADMINISTRATOR})
# Roles that see national identity numbers unmasked.
SEES_IDENTITY_NUMBER = frozenset(
    {Role.HANDLER, Role.SECOND_LINE, Role.SUPERVISOR, Role.ADMINISTRATOR}
)

# Model permissions granted to each group, as "app_label.codename".
_READ = [
    "residents.view_resident",
    "cases.view_contact",
    "cases.view_case",
    "cases.view_casetype",
    "knowledge.view_article",
]
_WRITE_ARTICLES = ["knowledge.add_article", "knowledge.change_article"]
_LOG = ["residents.add_resident", "cases.add_contact", "cases.add_case"]
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.AGENT: [*_READ, *_LOG, "residents.change_resident"],
    Role.SECOND_LINE: [*_READ, *_LOG, "residents.change_resident", "cases.change_case"],
    Role.SWITCHBOARD: [*_READ, *_LOG],
    Role.HANDLER: [*_READ, "cases.change_case"],
    Role.DEPARTMENT_CONTACT: [
        *_READ,
        *_WRITE_ARTICLES,
        "cases.change_case",
        "cases.change_casetype",
    ],
    Role.SUPERVISOR: [
        *_READ,
        *_LOG,
        "residents.change_resident",
        "cases.change_case",
        "accounts.view_user",
        *_WRITE_ARTICLES,
    ],
    Role.ADMINISTRATOR: [],  # administrators are superusers of the configuration
}
