import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A department (förvaltning, virksomhet) that owns case types and handles cases."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    auto_assign = models.BooleanField(
        _("assign new cases automatically"),
        default=False,
        help_text=_("Round-robin among the department's handlers who are in."),
    )
    active = models.BooleanField(_("active"), default=True)
    notice = models.CharField(
        _("notice of forwarded cases"),
        max_length=10,
        choices=[
            ("case", _("one e-mail per case")),
            ("digest", _("one e-mail a day")),
            ("none", _("none")),
        ],
        default="case",
        help_text=_("Sent to the department's e-mail address and its department contacts."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    UNIT = "unit", _("Unit")
    FUNCTION = "function", _("Shared function")


class Unit(models.Model):
    """A unit inside a department."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=UnitKind.choices, default="unit")
    external_id = models.CharField(
        _("external id"), max_length=200, unique=True, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    keywords = models.TextField(_("ask us about"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    # The unit's switchboard contact: gets a message its person left unanswered.
    contact = models.ForeignKey(
        "Employee",
        verbose_name=_("unit's contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for",
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.department} / {self.name}"


class AnswerGroup(models.Model):
    """A queue with a skill (and maybe a language) that contacts are routed to."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("answer group")
        verbose_name_plural = _("answer groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One open period of the center on a weekday; SLA clocks run only inside these."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_ordered"),
            models.UniqueConstraint(fields=["weekday", "opens"], name="opening_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A day the center is closed beyond the public holidays (e.g. Christmas Eve)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class Availability(models.TextChoices):
    """What the exchange says of a person's line."""

    AVAILABLE = "available", _("Available")
    ON_CALL = "on_call", _("On a call")
    DO_NOT_DISTURB = "dnd", _("Do not disturb")


class Employee(models.Model):
    """Anyone the switchboard can put a caller through to: an employee of the municipality
    (most are not Kontakt users), kept in step with HR and the identity system.

    Leavers are deactivated, never deleted, so messages and statistics keep their names.
    """

    # The identity system's or HR's own id (SCIM externalId, AD objectGUID, HR number).
    external_id = models.CharField(
        _("external id"), max_length=200, unique=True, null=True, blank=True
    )
    # SCIM's `id`: ours, stable, never reused.
    scim_id = models.UUIDField(_("SCIM id"), unique=True, default=uuid.uuid4, editable=False)
    user_name = models.CharField(
        _("user name"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The sign-in name in the identity system, e.g. name@kommun.se."),
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    display_name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    # Phone numbers in E.164 (+46406281234); `direct_number` is what the exchange rings.
    direct_number = models.CharField(_("direct number"), max_length=20, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    keywords = models.TextField(
        _("ask me about"),
        blank=True,
        help_text=_("What callers ask this person about, for when they do not know a name."),
    )
    active = models.BooleanField(_("active"), default=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Kontakt user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    # Presence from the exchange.
    phone_state = models.CharField(
        _("line"), max_length=12, choices=Availability.choices, default=Availability.AVAILABLE
    )
    phone_state_at = models.DateTimeField(_("line changed"), null=True, blank=True)
    # The folded words of name, title, unit and keywords that search reads.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["display_name", "id"]
        indexes = [models.Index(fields=["active", "display_name"], name="employee_active_name")]

    def __str__(self) -> str:
        return self.display_name


class EmployeeChangeSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    HR_IMPORT = "hr", _("HR import")
    SCIM = "scim", _("Identity system (SCIM)")
    CALENDAR = "calendar", _("Calendar")


class EmployeeVersion(models.Model):
    """One change of an employee's entry: what changed, from what to what, by whom."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="versions"
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=EmployeeChangeSource.choices)
    # {"field": [old, new], …}; a new entry has old values None.
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("employee change")
        verbose_name_plural = _("employee changes")
        ordering = ["employee", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.employee} {self.at:%Y-%m-%d %H:%M}"


class AbsenceReason(models.TextChoices):
    AWAY = "away", _("Away")
    MEETING = "meeting", _("In a meeting")
    LEAVE = "leave", _("On leave")
    TRAVEL = "travel", _("Travelling")
    COURSE = "course", _("At a course")
    PART_TIME = "part_time", _("Not working today")


class CalendarFeed(models.Model):
    """A published calendar (iCalendar) of one person or one unit: busy events in it are
    absences. Read from a URL by a scheduled task, or from an uploaded file."""

    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    # An uploaded file's text (a feed without a URL).
    content = models.TextField(_("calendar file"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last read without error"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    etag = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(employee__isnull=False, unit__isnull=True)
                | Q(employee__isnull=True, unit__isnull=False),
                name="calendarfeed_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee or self.unit}: {self.url or _('uploaded file')}"


class Absence(models.Model):
    """A period when a person cannot be reached, with why and who answers instead."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(
        _("reason"), max_length=12, choices=AbsenceReason.choices, default=AbsenceReason.AWAY
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    substitute = models.ForeignKey(
        Employee,
        verbose_name=_("substitute"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substituting",
    )
    # From a calendar feed: the feed and the event's UID + recurrence id, so a re-read
    # replaces the feed's absences instead of adding to them.
    feed = models.ForeignKey(
        CalendarFeed,
        verbose_name=_("calendar feed"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="absences",
    )
    feed_key = models.CharField(max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["employee", "starts_at"]
        indexes = [models.Index(fields=["employee", "ends_at"], name="absence_employee_end")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="absence_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.employee}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class UnitHours(models.Model):
    """When a unit or shared function is open, or answers its telephone."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Opening hours")
        PHONE = "phone", _("Telephone hours")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="hours"
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices, default=Kind.OPEN)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("hours of a unit")
        verbose_name_plural = _("hours of units")
        ordering = ["unit", "kind", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="unithours_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.get_weekday_display()}"


class EmployeeSearchToken(models.Model):
    """One word (or a phone number's digits, reversed) of an active employee's entry, for
    search (kontakt/directory/search.py); kept by `employee_save`, never written elsewhere."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="search_tokens", db_index=False
    )
    word = models.CharField(max_length=60)
    # Where the word comes from: name, number, keywords, title or unit.
    field = models.CharField(max_length=8)
    # How much a match of the word counts (a name more than a unit's name).
    weight = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("search word of an employee")
        verbose_name_plural = _("search words of employees")
        # Covering: a search reads words, employees and weights from the index alone.
        indexes = [models.Index(fields=["word", "employee", "weight"], name="employee_token_word")]
        constraints = [
            models.UniqueConstraint(fields=["employee", "word"], name="employee_token_unique")
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.word}"


class SearchWordVariant(models.Model):
    """A word of the directory's vocabulary under one of its variants (the word itself, or it
    with one letter left out): a query word and a stored word within one typo of each other
    share a variant. Never removed: a stale one only offers a word that then matches nobody."""

    variant = models.CharField(max_length=60)
    word = models.CharField(max_length=60)

    class Meta:
        verbose_name = _("search word variant")
        verbose_name_plural = _("search word variants")
        constraints = [
            models.UniqueConstraint(fields=["variant", "word"], name="search_variant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.variant} → {self.word}"


class ProvisioningClient(models.Model):
    """An identity system (Entra ID, Keycloak, …) that provisions the directory over SCIM;
    only its token's hash is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("provisioning client")
        verbose_name_plural = _("provisioning clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "ks_" + secrets.token_urlsafe(32)
