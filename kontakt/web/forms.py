"""Form bases of the staff pages: they parse and translate; services decide.

Every text a form takes is storable (no NUL, no lone surrogate: `StorableTextMixin` on
`StyledForm`), and every time lies in the deployment's window (`validate_time_window`,
`WindowedDateTimeField`, `WindowedDateField`), the same rules as the API's.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kontakt.web.schemas import (
    in_time_window,
    is_storable,
    time_window_message,
    unstorable_text_message,
)


def validate_time_window(value: date | datetime | None) -> None:
    """A form's (or a model form's) validator: the time or date lies in KONTAKT["TIME_WINDOW"]."""
    if value is None:
        return
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not in_time_window(value):
        raise ValidationError(time_window_message(), code="time_window")


def validate_storable_text(value: object) -> None:
    """No NUL character (PostgreSQL refuses it) and no lone surrogate."""
    if isinstance(value, str) and not is_storable(value):
        raise ValidationError(unstorable_text_message(), code="unstorable_text")


class WindowedDateTimeField(forms.DateTimeField):
    """A date and time inside the deployment's window."""

    default_validators = [validate_time_window]


class WindowedDateField(forms.DateField):
    """A date inside the deployment's window."""

    default_validators = [validate_time_window]


class Text(forms.CharField):
    """Text from a textarea, with Windows line endings made plain."""

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class StyledForm(forms.Form):
    """A form whose inputs wear the design system's input style; its texts must be storable
    and its times inside the window."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(
                widget, forms.HiddenInput | forms.RadioSelect | forms.ClearableFileInput
            ):
                widget.attrs.setdefault("class", "ds-input")
            if isinstance(field, forms.CharField):
                field.validators.append(validate_storable_text)
            if isinstance(field, forms.DateTimeField | forms.DateField):
                field.validators.append(validate_time_window)
