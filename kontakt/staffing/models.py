"""Rosters and what-if runs: what supervisors store about staffing."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RosterEntry(models.Model):
    """Agents scheduled for one answer group (or the whole center) over one interval."""

    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roster",
        help_text=_("Empty: the whole center."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    agents = models.PositiveSmallIntegerField(_("agents scheduled"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["answer_group", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="roster_ordered"),
            models.UniqueConstraint(
                fields=["answer_group", "starts_at"],
                condition=Q(answer_group__isnull=False),
                name="roster_group_start_unique",
            ),
            models.UniqueConstraint(
                fields=["starts_at"],
                condition=Q(answer_group__isnull=True),
                name="roster_center_start_unique",
            ),
        ]
        indexes = [models.Index(fields=["answer_group", "starts_at"], name="roster_group_start")]

    def __str__(self) -> str:
        group = self.answer_group or _("whole center")
        return f"{group} {self.starts_at:%Y-%m-%d %H:%M}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class WhatIfRun(models.Model):
    """One what-if question about a day, simulated in the background beside the plan."""

    answer_group = models.ForeignKey(
        "directory.AnswerGroup",
        verbose_name=_("answer group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="what_if_runs",
    )
    day = models.DateField(_("day"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval in minutes"))
    parameters = models.JSONField(_("parameters"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("what-if run")
        verbose_name_plural = _("what-if runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        group = self.answer_group or _("whole center")
        return f"{self.day} {group} ({self.get_status_display()})"
