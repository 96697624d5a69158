import hashlib
import re
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kontakt.core.call_events import CallState, EventType
from kontakt.core.router import AgentState, Channel


class Exchange(models.Model):
    """A telephone exchange (PBX, cloud switchboard) that posts call events; only its
    token's hash is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("telephone exchange")
        verbose_name_plural = _("telephone exchanges")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "kx_" + secrets.token_urlsafe(32)


# Each exchange has its own call ids and event ids: stored as "<exchange id>|<its id>", so
# two exchanges' calls of one id are two calls. Ids posted without an exchange (an
# administrator's token, queue_log imports) are stored as they are, and may not look like
# an exchange's. An exchange's own ids are at most MAX_EXTERNAL_ID characters.
MAX_EXTERNAL_ID = 90
ID_LENGTH = 120
_SCOPED = re.compile(r"^[0-9]+\|")


def scoped_id(exchange: Exchange | None, raw: str) -> str:
    """The stored form of an exchange's call id or event id."""
    return raw if exchange is None else f"{exchange.pk}|{raw}"


def looks_scoped(raw: str) -> bool:
    """Tell whether an id given without an exchange has the form of an exchange's."""
    return _SCOPED.match(raw) is not None


def external_id(exchange: Exchange | None, stored: str) -> str:
    """The id as the exchange knows it."""
    prefix = f"{exchange.pk}|" if exchange is not None else ""
    return stored.removeprefix(prefix) if prefix else stored


class RoutingSettings(models.Model):
    """How an answer group is routed: the skill it asks for, overflow, callback, wrap-up."""

    answer_group = models.OneToOneField(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        on_delete=models.CASCADE,
        related_name="routing",
    )
    skill = models.SlugField(
        _("skill"), max_length=40, help_text=_("Agents need this skill to answer the group.")
    )
    callback_after_seconds = models.PositiveIntegerField(
        _("offer a callback after"),
        null=True,
        blank=True,
        help_text=_("Seconds of estimated wait from which callers are offered a callback."),
    )
    wrap_up_seconds = models.PositiveIntegerField(_("wrap-up time (s)"), default=30)
    handle_seconds = models.PositiveIntegerField(
        _("mean handling time (s)"),
        default=180,
        help_text=_("Used to estimate the wait of a new caller."),
    )

    class Meta:
        verbose_name = _("routing of an answer group")
        verbose_name_plural = _("routing of answer groups")

    def __str__(self) -> str:
        return f"{self.answer_group} ({self.skill})"


class OverflowStep(models.Model):
    """After waiting this long, a contact is also offered to another group's agents."""

    routing = models.ForeignKey(
        RoutingSettings, verbose_name=_("routing"), on_delete=models.CASCADE, related_name="steps"
    )
    after_seconds = models.PositiveIntegerField(_("after (s)"))
    to_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("also offer to"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("overflow step")
        verbose_name_plural = _("overflow steps")
        ordering = ["routing", "after_seconds"]
        constraints = [
            models.UniqueConstraint(fields=["routing", "to_group"], name="overflow_unique_group")
        ]

    def __str__(self) -> str:
        return f"{self.after_seconds} s → {self.to_group}"


class AgentSkill(models.Model):
    """A skill of an agent, with a proficiency from 1 (can take it) to 5 (the expert)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="skills",
    )
    skill = models.SlugField(_("skill"), max_length=40)
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        ordering = ["agent", "skill"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="agentskill_unique"),
            models.CheckConstraint(
                condition=Q(proficiency__gte=1, proficiency__lte=5),
                name="agentskill_proficiency_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.skill} {self.proficiency}"


class Presence(models.Model):
    """An agent's state right now: ready, offered a contact, busy, in wrap-up, paused."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="presence",
    )
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=[(s.value, s.value) for s in AgentState],
        default=AgentState.LOGGED_OUT,
    )
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    since = models.DateTimeField(_("since"))
    # When the agent became free: routing offers the longest idle first.
    idle_since = models.DateTimeField(_("idle since"), null=True, blank=True)
    # Wrap-up and offers end by themselves: the state is read as ready after this time.
    until = models.DateTimeField(_("until"), null=True, blank=True)
    # The call offered to or answered by the agent (an exchange may ring before it posts).
    call_id = models.CharField(_("call id"), max_length=ID_LENGTH, blank=True)

    class Meta:
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")

    def __str__(self) -> str:
        return f"{self.agent}: {self.state}"


class PresenceChange(models.Model):
    """One change of an agent's state, kept for reports (time ready, busy, paused)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="presence_changes",
    )
    state = models.CharField(_("state"), max_length=12)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("agent state change")
        verbose_name_plural = _("agent state changes")
        ordering = ["agent", "at"]
        indexes = [models.Index(fields=["agent", "at"], name="presencechange_agent_at")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.state} {self.at:%Y-%m-%d %H:%M:%S}"


class PhoneNumber(models.Model):
    """A number residents call, with its one level of tone choice (IVR menu)."""

    number = models.CharField(
        _("number"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^\+?[0-9]{2,20}$", _("Digits only, an optional + first."))],
        help_text=_("As the exchange reports it, e.g. +46406280400."),
    )
    name = models.CharField(_("name"), max_length=100)
    greeting = models.TextField(_("greeting"), help_text=_("Played while the center is open."))
    closed_message = models.TextField(
        _("closed message"), help_text=_("Played outside opening hours and on holidays.")
    )
    crisis_message = models.TextField(
        _("crisis message"),
        blank=True,
        help_text=_("Played instead of the greeting in crisis mode; empty: the crisis text."),
    )
    default_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group without a choice"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where a caller who presses nothing, or a wrong digit, is queued."),
    )

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class MenuOption(models.Model):
    """One digit of a number's menu and the answer group it leads to."""

    phone_number = models.ForeignKey(
        PhoneNumber, verbose_name=_("phone number"), on_delete=models.CASCADE, related_name="menu"
    )
    digit = models.CharField(
        _("digit"), max_length=1, validators=[RegexValidator(r"^[0-9]$", _("One digit, 0–9."))]
    )
    label = models.CharField(_("what the caller hears"), max_length=200)
    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        on_delete=models.PROTECT,
        related_name="menu_options",
    )

    class Meta:
        verbose_name = _("menu option")
        verbose_name_plural = _("menu options")
        ordering = ["phone_number", "digit"]
        constraints = [
            models.UniqueConstraint(fields=["phone_number", "digit"], name="menu_unique_digit"),
            models.CheckConstraint(condition=Q(digit__regex=r"^[0-9]$"), name="menu_digit"),
        ]

    def __str__(self) -> str:
        return f"{self.digit}: {self.label}"


class EventSource(models.TextChoices):
    API = "api", _("Events API")
    CTI = "cti", _("Generic CTI webhook")
    QUEUE_LOG = "queue_log", _("Asterisk queue_log")
    SIMULATOR = "simulator", _("Simulated exchange")


class CallEvent(models.Model):
    """One thing that happened on a call, as the exchange told it; append-only."""

    event_id = models.CharField(_("event id"), max_length=ID_LENGTH, unique=True)
    call_id = models.CharField(_("call id"), max_length=ID_LENGTH, db_index=True)
    type = models.CharField(
        _("type"), max_length=20, choices=[(t.value, t.value) for t in EventType]
    )
    at = models.DateTimeField(_("at"))
    number = models.CharField(_("dialled number"), max_length=40, blank=True)
    caller = models.CharField(_("caller"), max_length=40, blank=True)
    answer_group = models.CharField(_("answer group"), max_length=40, blank=True)
    agent = models.CharField(_("agent"), max_length=150, blank=True)
    digit = models.CharField(_("digit"), max_length=1, blank=True)
    # Transfers and direct calls: the person's number, and why the call came back.
    target = models.CharField(_("transferred to"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=12, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=EventSource.choices, default=EventSource.API
    )
    exchange = models.ForeignKey(
        Exchange,
        verbose_name=_("exchange"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.call_id} {self.type} {self.at:%Y-%m-%d %H:%M:%S}"


class Call(models.Model):
    """One call as its events tell it, rebuilt from them after each new event."""

    call_id = models.CharField(_("call id"), max_length=ID_LENGTH, unique=True)
    number = models.CharField(_("dialled number"), max_length=40, blank=True)
    caller = models.CharField(_("caller"), max_length=40, blank=True)
    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    group_code = models.CharField(_("answer group code"), max_length=40, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    agent_name = models.CharField(_("agent as the exchange names them"), max_length=150, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=[(s.value, s.value) for s in CallState]
    )
    digit = models.CharField(_("digit"), max_length=1, blank=True)
    started_at = models.DateTimeField(_("started"))
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wait_seconds = models.FloatField(_("wait (s)"), null=True, blank=True)
    talk_seconds = models.FloatField(_("talk (s)"), null=True, blank=True)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)
    transfers_returned = models.PositiveSmallIntegerField(_("returned transfers"), default=0)
    callback_requested = models.BooleanField(_("callback requested"), default=False)
    last_event_at = models.DateTimeField(_("last event"))

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["queued_at"], name="call_queued_at"),
            models.Index(fields=["state", "queued_at"], name="call_state_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} ({self.state})"


class CrisisSwitch(models.Model):
    """Crisis mode switched on or off, with the message and the article; the last row is
    the current state."""

    on = models.BooleanField(_("on"))
    message = models.TextField(_("message"), blank=True)
    article = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Whether the article was pinned before crisis mode: then switching off leaves it pinned.
    article_was_pinned = models.BooleanField(default=False, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("crisis mode switch")
        verbose_name_plural = _("crisis mode switches")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on=False) | ~Q(message=""), name="crisis_on_has_message"
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'on' if self.on else 'off'}"


class WorkState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ASSIGNED = "assigned", _("With an agent")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class QueuedContact(models.Model):
    """A contact Kontakt itself hands to an agent: a callback a caller asked for (it keeps
    the call's place in the queue), or a chat or e-mail waiting in an answer group."""

    channel = models.CharField(
        _("channel"),
        max_length=8,
        choices=[(c.value, c.value) for c in Channel],
    )
    reference = models.CharField(
        _("reference"),
        max_length=ID_LENGTH,
        help_text=_("The call id, or the chat's or e-mail's id."),
    )
    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        on_delete=models.PROTECT,
        related_name="queued_contacts",
    )
    language = models.CharField(_("language asked for"), max_length=10, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    caller = models.CharField(_("phone or address"), max_length=254, blank=True)
    queued_at = models.DateTimeField(_("queued"))
    state = models.CharField(
        _("state"), max_length=10, choices=WorkState.choices, default=WorkState.WAITING
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queued_contacts",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("queued contact")
        verbose_name_plural = _("queued contacts")
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["state", "queued_at"], name="queued_state_queued")]
        constraints = [
            models.UniqueConstraint(fields=["channel", "reference"], name="queued_unique_ref"),
            models.CheckConstraint(
                condition=~Q(state="assigned") | Q(agent__isnull=False),
                name="queued_assigned_has_agent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.reference} ({self.state})"

    @property
    def callback(self) -> bool:
        """A call queued by Kontakt is a callback: chats and e-mails are the other channels."""
        return self.channel == Channel.CALL

    @property
    def label(self) -> str:
        """What the agent is handed, in words: a callback, a chat, an e-mail or an SMS (a
        text message is queued as written work, with a reference "sms:<id>")."""
        if self.callback:
            return str(_("Call back"))
        if self.reference.startswith("sms:"):
            return str(_("SMS"))
        labels = {Channel.CHAT: _("Chat"), Channel.EMAIL: _("E-mail")}
        return str(labels.get(Channel(self.channel), self.channel))

    @property
    def opens_here(self) -> bool:
        """Whether its page is Kontakt's own (opened in the same tab), not another system's."""
        site = settings.KONTAKT["SITE_URL"].rstrip("/")
        return self.callback or self.url.startswith(f"{site}/")
