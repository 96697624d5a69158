"""Form bases of the staff pages: they parse and translate; services decide."""

from django import forms


class Text(forms.CharField):
    """Text from a textarea, with Windows line endings made plain."""

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


class StyledForm(forms.Form):
    """A form whose inputs wear the design system's input style."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(
                widget, forms.HiddenInput | forms.RadioSelect | forms.ClearableFileInput
            ):
                widget.attrs.setdefault("class", "ds-input")
