from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kontakt.core.case_status import CaseStatus
from kontakt.residents.models import FeedbackChannel


class CaseType(models.Model):
    """A category of matter, with its owner, SLA and the routine an agent follows."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="case_types",
    )
    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_types",
    )
    first_line_may_close = models.BooleanField(
        _("first line may close at first contact"), default=True
    )
    response_time = models.DurationField(
        _("response time (business hours)"),
        default=timedelta(hours=24),
        help_text=_("Counted in opening hours, e.g. 16:00:00 for two working days of 8 hours."),
    )
    routine = models.TextField(_("routine shown to the agent"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    # What residents see: the web form and Open311 offer only published types, and the
    # receipt tells the resident how this type of matter is handled.
    published = models.BooleanField(
        _("residents may file it"),
        default=False,
        help_text=_("Offered on the web form and through Open311."),
    )
    public_description = models.TextField(
        _("description for residents"),
        blank=True,
        help_text=_("One or two sentences shown on the web form and in Open311's service list."),
    )
    next_steps = models.TextField(
        _("what happens next"),
        blank=True,
        help_text=_("Told to the resident in the receipt: how this type of matter is handled."),
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated words residents may use for it (Open311 keywords)."),
    )
    group = models.CharField(
        _("group"),
        max_length=100,
        blank=True,
        help_text=_("A heading that gathers related types on the web form (Open311 group)."),
    )
    ask_location = models.BooleanField(
        _("asks where"),
        default=False,
        help_text=_("The form asks for an address or a point on the map (e.g. a street lamp)."),
    )

    class Meta:
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_time__gt=timedelta(0)), name="casetype_positive_sla"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AttributeType(models.TextChoices):
    """The kinds of question a case type may ask (Open311 GeoReport v2's datatypes)."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


class CaseTypeAttribute(models.Model):
    """One more question a case type asks the resident (the street lamp's number, the kind
    of damage); its answer is kept in `Case.attributes` under `code`."""

    case_type = models.ForeignKey(
        CaseType, verbose_name=_("case type"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("code"), max_length=60)
    datatype = models.CharField(
        _("kind of answer"), max_length=20, choices=AttributeType.choices, default="string"
    )
    question = models.CharField(_("question"), max_length=200)
    description = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # For the list kinds: [{"key": "dark", "name": "Lamp is dark"}, ...].
    values = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("case type question")
        verbose_name_plural = _("case type questions")
        ordering = ["case_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "code"], name="casetypeattribute_unique")
        ]

    def __str__(self) -> str:
        return self.question


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


STATUS_LABELS = {
    CaseStatus.NEW: _("New"),
    CaseStatus.OPEN: _("Open"),
    CaseStatus.WAITING: _("Waiting for resident"),
    CaseStatus.FORWARDED: _("Forwarded"),
    CaseStatus.CLOSED: _("Closed"),
}
STATUS_CHOICES = [(status.value, label) for status, label in STATUS_LABELS.items()]


class CaseReferenceCounter(models.Model):
    """The last case number handed out per prefix and year; numbers are never reused."""

    prefix = models.CharField(_("prefix"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case reference counter")
        verbose_name_plural = _("case reference counters")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Case(models.Model):
    """A matter that outlives a contact: type, owner, SLA, timeline."""

    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("case type"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # leads the case_type_created index
    )
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # leads the case_resident_status index
    )
    status = models.CharField(
        _("status"), max_length=20, choices=STATUS_CHOICES, default=CaseStatus.NEW.value
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # leads the case_queue index
    )
    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("responsible answer group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,  # reports read groups through interval statistics, not this
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_cases",
        db_index=False,  # leads the case_handler_status index
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    feedback_channel = models.CharField(
        _("feedback channel"),
        max_length=20,
        choices=FeedbackChannel.choices,
        default=FeedbackChannel.PHONE,
    )
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="created_cases",
        db_index=False,  # never searched by; staff are deactivated, not deleted
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA clock paused"), null=True, blank=True)
    sla_remaining = models.DurationField(_("SLA time left when paused"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    sla_met = models.BooleanField(_("closed within SLA"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Where it is about (a street lamp, a pothole), as the resident gave it.
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Answers to the case type's questions, by the question's code.
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    # The resident's wish to have the case closed (My pages), until a handler acts on it.
    close_requested_at = models.DateTimeField(_("resident asked to close"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="case_queue"),
            # The department queue: open cases of a department, oldest due first.
            models.Index(
                fields=["department", "due_at", "created_at"],
                condition=~Q(status=CaseStatus.CLOSED.value),
                name="case_open_queue",
            ),
            models.Index(fields=["resident", "status"], name="case_resident_status"),
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            models.Index(fields=["handler", "status"], name="case_handler_status"),
            models.Index(fields=["created_at"], name="case_created"),
            models.Index(fields=["case_type", "created_at"], name="case_type_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in CaseStatus]), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED.value) | Q(closed_at__isnull=False),
                name="case_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("created_at")),
                name="case_closed_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def case_status(self) -> CaseStatus:
        return CaseStatus(self.status)

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED.value


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    NOTE = "note", _("Internal note")
    MESSAGE_IN = "message_in", _("Message from resident")
    MESSAGE_OUT = "message_out", _("Message to resident")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded")
    ATTACHMENT = "attachment", _("Attachment")
    CONTACT = "contact", _("Contact linked")
    SLA_PAUSED = "sla_paused", _("SLA clock paused")
    SLA_RESUMED = "sla_resumed", _("SLA clock resumed")
    CLOSED = "closed", _("Closed")


class Delivery(models.TextChoices):
    """What became of a message to the resident (a message's entry keeps it in `data`)."""

    QUEUED = "queued", _("to be sent")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("not delivered")
    TO_POST = "to_post", _("to be posted")
    SAID = "said", _("told by phone or in person")
    NOT_SENT = "not_sent", _("recorded, not sent")


class CaseEvent(models.Model):
    """One entry in a case's timeline; never changed once written, but for the delivery
    state of a message to the resident (`data["delivery"]`, a `Delivery`)."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # leads the caseevent_case_at index
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never searched by; staff are deactivated, not deleted
    )
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, blank=True)
    body = models.TextField(_("text"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def due_at(self) -> datetime | None:
        """The due time this event set, if it set one (created, SLA resumed)."""
        value = self.data.get("due_at") if isinstance(self.data, dict) else None
        return datetime.fromisoformat(value) if value else None

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel in Channel.values else self.channel

    @property
    def delivery(self) -> str:
        """What became of a message to the resident ("" for any other entry)."""
        value = self.data.get("delivery") if isinstance(self.data, dict) else None
        return value if value in Delivery.values else ""

    @property
    def delivery_label(self) -> str:
        return str(Delivery(self.delivery).label) if self.delivery else ""

    @property
    def from_status_label(self) -> str:
        return (
            str(STATUS_LABELS.get(CaseStatus(self.from_status), self.from_status))
            if self.from_status
            else ""
        )

    @property
    def to_status_label(self) -> str:
        return (
            str(STATUS_LABELS.get(CaseStatus(self.to_status), self.to_status))
            if self.to_status
            else ""
        )

    @property
    def remaining_hours(self) -> float | None:
        """Business hours left on the SLA clock when it was paused."""
        seconds = self.data.get("remaining_seconds") if isinstance(self.data, dict) else None
        return round(seconds / 3600, 1) if seconds is not None else None


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"cases/{instance.case.created_at:%Y/%m}/{instance.case.reference}/{filename}"


class Attachment(models.Model):
    """A file on a case: a scanned letter, a photo, a decision."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    CHAT = "chat", _("Chat")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    # A service request from a civic app through Open311 GeoReport v2.
    OPEN311 = "open311", _("Open311 app")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class Outcome(models.TextChoices):
    CLOSED = "closed", _("Closed at first contact")
    CLOSED_WITH_ORDER = "closed_order", _("Closed, order sent on")
    FORWARDED = "forwarded", _("Forwarded to a department")
    LINKED = "linked", _("Linked to an open case")
    # The switchboard's: the caller was put through to a person, or left a message for one.
    TRANSFERRED = "transferred", _("Transferred to a person")
    MESSAGE = "message", _("Message taken")


class Contact(models.Model):
    """One interaction with a resident on any channel."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        db_index=False,  # leads the contact_agent_started index
    )
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_index=False,  # leads the contact_resident_started index
    )
    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("case type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    # A phone contact names its call by the exchange's id: cases do not know the exchange.
    call_id = models.CharField(_("call id"), max_length=100, blank=True, db_index=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["started_at"], name="contact_started"),
            models.Index(fields=["agent", "started_at"], name="contact_agent_started"),
            models.Index(fields=["resident", "started_at"], name="contact_resident_started"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="contact_ended_after_start",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["closed", "closed_order", "transferred", "message"])
                | Q(case__isnull=False),
                name="contact_forward_has_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"


class CaseLink(models.Model):
    """A private link to one case on My pages. Only the token's SHA-256 is kept; the token
    itself goes to the resident once, in the receipt."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="links"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


class NoticeAudience(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    DEPARTMENT = "department", _("Department")
    HANDLER = "handler", _("Handler")


class NoticeKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    MESSAGE = "message", _("New message")
    CLOSED = "closed", _("Case closed")
    FORWARDED = "forwarded", _("Case forwarded")
    DIGEST = "digest", _("Digest of forwarded cases")
    SLA_WARNING = "sla_warning", _("Due soon")
    SURVEY = "survey", _("Satisfaction question")
    SIGN_IN = "sign_in", _("Sign-in link")


class NoticeState(models.TextChoices):
    QUEUED = "queued", _("to be sent")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("failed, will try again")
    FAILED = "failed", _("not delivered")


class Notice(models.Model):
    """One notice by e-mail or SMS: to a resident (receipt, new message, closed, survey,
    sign-in link), to a department (forwarded case, digest) or to a handler (due soon).
    Sent by the task queue and retried; what became of it shows on the case."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    audience = models.CharField(_("to whom"), max_length=20, choices=NoticeAudience.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=20)  # email | sms
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    state = models.CharField(
        _("state"), max_length=20, choices=NoticeState.choices, default=NoticeState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the notice is about, so it is made once (e.g. "receipt", "sla_warning:<due>").
    key = models.CharField(_("key"), max_length=100, blank=True)
    # The contact a notice answers when there is no case (an e-mail answered at first contact).
    contact = models.ForeignKey(
        "cases.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )
    # E-mail: the Message-ID it was sent with and the earlier messages it answers
    # (In-Reply-To is the last of `references`), so a resident's reply finds its case.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    references = models.TextField(_("references"), blank=True)
    # SMS: the gateway's id of the message (for its delivery receipt) and the parts it took.
    gateway_id = models.CharField(_("gateway id"), max_length=100, blank=True, db_index=True)
    parts = models.PositiveSmallIntegerField(_("parts"), default=0)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notice_state_next"),
            models.Index(fields=["case", "created_at"], name="notice_case_created"),
        ]
        # A notice with a key is made once per recipient (the services lock the case or
        # department first; these keep it so whatever happens).
        constraints = [
            models.UniqueConstraint(
                fields=["case", "key", "to"],
                condition=~Q(key="") & Q(case__isnull=False),
                name="notice_case_key_once",
            ),
            models.UniqueConstraint(
                fields=["department", "key", "to"],
                condition=~Q(key="") & Q(case__isnull=True) & Q(department__isnull=False),
                name="notice_department_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"


class SatisfactionSurvey(models.Model):
    """The one question after a case closes (or a contact was closed): 1–5 and a comment.
    The answer is kept with the case type and department for the reports."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    contact = models.ForeignKey(
        "Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    case_type = models.ForeignKey(
        CaseType,
        verbose_name=_("case type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "directory.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    channel = models.CharField(_("channel"), max_length=20)
    sent_at = models.DateTimeField(_("asked"))
    expires_at = models.DateTimeField(_("expires"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction question")
        verbose_name_plural = _("satisfaction questions")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(contact__isnull=False),
                name="survey_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id or self.contact_id}: {self.score}"
