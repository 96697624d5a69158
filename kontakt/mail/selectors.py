"""Reading mail for staff pages: only what the user may see."""

from django.http import Http404

from kontakt.accounts.models import User
from kontakt.accounts.selectors import may_watch_queues
from kontakt.residents.models import Resident, ResidentEmail

from .models import InboundMail
from .services import mail_work


def mail_to_answer(*, user: User, pk: int) -> InboundMail:
    """A new mail as the agent who holds its work (or a supervisor) sees it; 404 for anyone
    else, and for a mail that is not (or no longer) waiting for an answer."""
    mail = (
        InboundMail.objects.filter(pk=pk)
        .select_related("mailbox", "earlier", "earlier__case", "case")
        .prefetch_related("attachments")
        .first()
    )
    if mail is None:
        raise Http404
    if may_watch_queues(user):
        return mail
    work = mail_work(mail)
    if work is None or work.agent_id != user.pk:
        raise Http404
    return mail


def sender_resident(mail: InboundMail) -> Resident | None:
    """The one resident with the sender's address, if exactly one has it."""
    ids = list(
        ResidentEmail.objects.filter(address__iexact=mail.from_address)
        .values_list("resident_id", flat=True)
        .distinct()[:2]
    )
    return Resident.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None
