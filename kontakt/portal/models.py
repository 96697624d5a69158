"""What the residents' pages keep of their own: files of a web form not yet sent."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HeldUpload(models.Model):
    """A checked file from a web form that came back (a mistake in a field, a limit hit): kept
    so the resident need not choose it again, named in the form by a signed token, and
    deleted after a day (`form_services.held_uploads_clean`) or when it joins the case."""

    file = models.FileField(_("file"), upload_to="held/%Y/%m/%d/", max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("held upload")
        verbose_name_plural = _("held uploads")

    def __str__(self) -> str:
        return self.name
