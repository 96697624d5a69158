"""The switchboard's side of the exchange's API: the transfers it is asked to make, and the
state of people's lines (on a call, do not disturb) that transfers go by."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kontakt.directory.selectors import phone_number_e164
from kontakt.directory.services import LineState, line_states_record
from kontakt.telephony.api import ExchangeAuth
from kontakt.telephony.selectors import require_feeder
from kontakt.web.api import TokenAuth
from kontakt.web.schemas import ERRORS, ApiDatetime, InputSchema

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


class LineIn(InputSchema):
    number: Annotated[str, Field(min_length=1, max_length=40)]
    state: Literal["available", "on_call", "dnd"]
    at: ApiDatetime


class LinesIn(InputSchema):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=1000)]


class LinesOut(Schema):
    changed: int
    unknown: int


@router.post(
    "/lines",
    response={200: LinesOut, **ERRORS},
    auth=[ExchangeAuth(), TokenAuth()],
    summary="People's line states",
    description=(
        "The exchange tells the state of people's lines: `available`, `on_call` or `dnd` "
        "(do not disturb), each with the time it changed. The operator's console shows it "
        "and transfers go by it. Order-tolerant: a state older than the one known is left "
        "out. Numbers in any formatting; numbers nobody has (or that are no telephone number) are "
        "counted in `unknown`."
    ),
)
def lines(request: HttpRequest, payload: LinesIn) -> dict[str, Any]:
    require_feeder(request.auth)  # type: ignore[attr-defined]
    states, unreadable = [], 0
    for line in payload.lines:
        number = phone_number_e164(line.number)
        if number is None:
            unreadable += 1  # No telephone number: nobody in the directory has it.
            continue
        states.append(LineState(number=number, state=line.state, at=line.at))
    counts = line_states_record(states)
    return {**counts, "unknown": counts["unknown"] + unreadable}
