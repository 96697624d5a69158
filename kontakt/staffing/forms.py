"""Forms of the staffing pages: they parse and translate; selectors and services decide."""

from datetime import date, timedelta
from typing import Literal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kontakt.cases.models import Channel
from kontakt.core.planning import ServiceGoal
from kontakt.web.forms import StyledForm

from .selectors import ALL_CHANNELS

INTERVALS = [(15, _("15 minutes")), (30, _("30 minutes")), (60, _("1 hour"))]
PERIODS = [("day", _("Day")), ("week", _("Week"))]
# Days a plan may be asked for: eight weeks of history before the first must exist.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def patience_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Callers' mean patience (seconds, empty: nobody hangs up)"),
        min_value=1,
        max_value=36_000,
        required=False,
    )


def _goal_default(
    key: Literal["SERVICE_LEVEL", "ANSWER_SECONDS", "SHRINKAGE", "PATIENCE_SECONDS"],
) -> float | None:
    return settings.KONTAKT["STAFFING"][key]


class PlanForm(StyledForm):
    """What plan to show: group, period, interval, and the service goal to plan for."""

    group = forms.ChoiceField(label=_("Answer group"), required=False)
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="day")
    day = forms.DateField(
        label=_("Day (or a day in the week)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    interval = forms.TypedChoiceField(
        label=_("Interval"), choices=INTERVALS, coerce=int, initial=15
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(ALL_CHANNELS, _("All channels")), *Channel.choices],
        initial=Channel.PHONE,
        required=False,
    )
    target = forms.IntegerField(label=_("Service level target (%)"), min_value=1, max_value=99)
    answer_seconds = forms.IntegerField(
        label=_("Answered within (seconds)"), min_value=0, max_value=3600
    )
    patience = patience_field()
    shrinkage = forms.IntegerField(label=_("Shrinkage (%)"), min_value=0, max_value=90)
    aht = forms.IntegerField(
        label=_("AHT (seconds, empty: measured)"), min_value=1, max_value=36_000, required=False
    )

    def __init__(self, data, *, groups, **kwargs):
        initial = self.defaults()
        merged = {**initial, **{k: v for k, v in data.items() if k in self.base_fields}}
        super().__init__(merged, **kwargs)
        self.fields["group"].choices = [
            ("", _("Whole center")),
            *((g.code, g.name) for g in groups),
        ]

    @staticmethod
    def defaults() -> dict[str, object]:
        patience = _goal_default("PATIENCE_SECONDS")
        return {
            "group": "",
            "period": "day",
            "day": timezone.localdate().isoformat(),
            "interval": "15",
            "channel": Channel.PHONE,
            "target": str(round(100 * (_goal_default("SERVICE_LEVEL") or 0.8))),
            "answer_seconds": str(int(_goal_default("ANSWER_SECONDS") or 20)),
            "patience": "" if patience is None else str(int(patience)),
            "shrinkage": str(round(100 * (_goal_default("SHRINKAGE") or 0.0))),
            "aht": "",
        }

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                _("Pick a day from %(first)d to %(last)d.")
                % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
            )
        return day

    def goal(self) -> ServiceGoal:
        data = self.cleaned_data
        return ServiceGoal(
            service_level=data["target"] / 100,
            answer_seconds=float(data["answer_seconds"]),
            patience_seconds=None if data["patience"] is None else float(data["patience"]),
            shrinkage=data["shrinkage"] / 100,
        )

    def days(self) -> list[date]:
        day = self.cleaned_data["day"]
        if self.cleaned_data["period"] == "week":
            monday = day - timedelta(days=day.weekday())
            return [monday + timedelta(days=i) for i in range(7)]
        return [day]


class WhatIfForm(StyledForm):
    """The changes a what-if makes to one day's plan; agents per interval come apart."""

    aht = forms.IntegerField(label=_("AHT (seconds)"), min_value=1, max_value=36_000)
    closed_at_first_contact = forms.IntegerField(
        label=_("Closed at first contact (%)"), min_value=0, max_value=100
    )
    patience = patience_field()
    opens = forms.TimeField(label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=_("Closes"), widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens is not None and closes is not None and closes <= opens:
            self.add_error("closes", _("The center must close after it opens."))
        return data
