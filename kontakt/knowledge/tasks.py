"""Background work of the knowledge base: telling owners of their tasks, sending answers."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role
from kontakt.residents.selectors import resident_email, resident_phone
from kontakt.residents.sms import send_sms

from .models import ArticleFlag, ArticleUse, UseKind

logger = logging.getLogger(__name__)
SMS_LENGTH = 612  # four concatenated messages


def _owners(flag: ArticleFlag) -> list[str]:
    """The owner's address, else the owning department's contacts'."""
    if flag.assigned_to is not None and flag.assigned_to.email:
        return [flag.assigned_to.email]
    contacts = User.objects.filter(
        is_active=True,
        department_id=flag.article.owner_department_id,
        groups__name=Role.DEPARTMENT_CONTACT.value,
    ).exclude(email="")
    return sorted(set(contacts.values_list("email", flat=True)))


@task(queue_name="notifications")
def notify_article_task(*, flag_id: int) -> str:
    """E-mail the article's owner that a flag or a review waits for them."""
    flag = ArticleFlag.objects.select_related("article", "assigned_to", "flagged_by").get(
        pk=flag_id
    )
    addresses = _owners(flag)
    if not addresses:
        logger.warning("Nobody to tell of flag %s on article %s", flag.pk, flag.article_id)
        return "no-owner"
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Knowledge base: %(title)s – %(reason)s") % {
            "title": flag.article.title,
            "reason": flag.get_reason_display(),
        }
        body = _(
            "The article “%(title)s” needs your attention by %(due)s.\n\n"
            "%(reason)s%(comment)s\n\nOpen your tasks: %(url)s\n"
        ) % {
            "title": flag.article.title,
            "due": flag.due_on.isoformat(),
            "reason": flag.get_reason_display(),
            "comment": f": {flag.comment}" if flag.comment else "",
            "url": reverse("knowledge:tasks"),
        }
    send_mail(subject, body, None, addresses)
    return "sent"


@task(queue_name="notifications")
def send_article(*, use_id: int) -> str:
    """Send an article's public text to the resident it was used for."""
    use = ArticleUse.objects.select_related("article", "resident").get(pk=use_id)
    article, resident = use.article, use.resident
    if resident is None:
        return "no-resident"
    if not article.is_public:  # made internal or taken down since it was queued
        return "not-public"
    links = "\n".join(f"{link.label}: {link.url}" for link in article.links.all())
    if use.kind == UseKind.EMAIL:
        address = resident_email(resident)
        if address is None:
            return "no-address"
        body = "\n\n".join(part for part in (article.summary, article.body_text, links) if part)
        send_mail(article.title, body, None, [address])
        return "sent"
    number = resident_phone(resident)
    if number is None:
        return "no-number"
    text = "\n".join(part for part in (article.title, article.summary, links) if part)
    send_sms(to=number, text=text[:SMS_LENGTH])
    return "sent"
