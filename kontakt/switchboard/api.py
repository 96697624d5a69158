"""The switchboard's side of the exchange's API: the transfers it is asked to make."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kontakt.telephony.api import ExchangeAuth
from kontakt.telephony.selectors import require_feeder
from kontakt.web.api import TokenAuth
from kontakt.web.schemas import ERRORS

from .services import transfer_commands

router = Router(tags=["telephony"])


class CommandOut(Schema):
    id: str
    type: str
    call_id: str
    target: str
    ring_seconds: int


class CommandsOut(Schema):
    commands: list[CommandOut]


@router.get(
    "/commands",
    response={200: CommandsOut, **ERRORS},
    auth=[ExchangeAuth(), TokenAuth()],
    summary="Transfers to make",
    description=(
        "What the switchboard's operators asked of the exchange: put call `call_id` through "
        "to `target`, ringing at most `ring_seconds` before it comes back. Poll every second "
        "or so; a command is handed out again until the exchange posts a `transfer_started` "
        "event for it (keep the ids you have acted on). Then post `transfer_answered` (and "
        "`ended`), or `transfer_returned` with `reason` no_answer, busy or absent."
    ),
)
def commands(request: HttpRequest) -> dict[str, Any]:
    exchange = require_feeder(request.auth)  # type: ignore[attr-defined]
    return {"commands": [c.as_dict() for c in transfer_commands(exchange=exchange)]}
