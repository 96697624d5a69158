"""Call events from the "generic CTI" webhook that PBX vendors speak for Zammad.

One POST per call event, stateless: fields `event` (newCall, answer or hangup), `from`, `to`,
`direction` (in or out), `callId`, `user` or `user[]` (one or more names), `queue`
(optional), and on hangup `cause` and `answeringNumber`. A field given as a list (form-data
arrays, Django's `QueryDict.lists()`) counts by its last value, except `user`.

Mapping, for inbound calls (outbound calls are ignored, with a reason):

- newCall → offered and queued, in `answer_group` (Kontakt maps the dialled number to a
  group), or else in the payload's `queue`; caller = `from` ("anonymous" becomes ""), number
  = `to`.
- answer → answered; agent = `answeringNumber` (Zammad's own look-up key: phone, login or id),
  else the last `user`.
- hangup, by cause (Zammad's documented meanings):
  `cancel` (the caller hung up before anyone picked up) → abandoned;
  `normalClearing` → ended; `forwarded` → transferred, then ended;
  `busy`, `noAnswer` (the called party rejected it), `congestion`, `notFound` → ended: the
  exchange, not the caller, gave up, so an unanswered queued call is LEFT_QUEUE.
  `summarize_call` resolves the rest: an abandon after an answer is an ordinary end, and an
  end after an answer is ANSWERED.

Event ids are f"cti:{callId}:{event}" (the PBX may resend a request), with ":queued" and
":ended" for the second event of newCall and of a forwarded hangup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kontakt.core.call_events import CallEvent, EventType

_EVENTS = ("newCall", "answer", "hangup")
_DIRECTIONS = ("in", "out")
_HANGUP_TYPE = {
    "normalClearing": EventType.ENDED,
    "cancel": EventType.ABANDONED,
    "busy": EventType.ENDED,
    "noAnswer": EventType.ENDED,
    "congestion": EventType.ENDED,
    "notFound": EventType.ENDED,
    "forwarded": EventType.TRANSFERRED,
}
_MAX_CALL_ID = 250  # Zammad's limit.


class CtiError(ValueError):
    """A webhook request with missing or invalid fields; `errors` maps field to message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


@dataclass(frozen=True)
class CtiResult:
    """The call events of one webhook request, or why it was ignored."""

    events: list[CallEvent] = field(default_factory=list)
    ignored_reason: str = ""


def _values(fields: Mapping[str, str | Sequence[str]], name: str) -> list[str]:
    value = fields.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()]
    return [str(item).strip() for item in value]


def _one(fields: Mapping[str, str | Sequence[str]], name: str) -> str:
    values = _values(fields, name)
    return values[-1] if values else ""


def cti_events(
    fields: Mapping[str, str | Sequence[str]], *, at: datetime, answer_group: str = ""
) -> CtiResult:
    """Map one generic-CTI request, received at `at`, to call events; raise CtiError if bad."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("The time a webhook was received must be timezone-aware.")
    errors: dict[str, str] = {}
    event = _one(fields, "event")
    direction = _one(fields, "direction")
    call_id = _one(fields, "callId")
    if event not in _EVENTS:
        errors["event"] = f"Must be one of {', '.join(_EVENTS)}." if event else "Required."
    if direction not in _DIRECTIONS:
        errors["direction"] = "Must be in or out." if direction else "Required."
    if not call_id:
        errors["callId"] = "Required."
    elif len(call_id) > _MAX_CALL_ID:
        errors["callId"] = f"At most {_MAX_CALL_ID} characters."
    cause = _one(fields, "cause")
    if event == "hangup" and cause not in _HANGUP_TYPE:
        errors["cause"] = f"Must be one of {', '.join(_HANGUP_TYPE)}." if cause else "Required."
    if errors:
        raise CtiError(errors)
    if direction == "out":
        return CtiResult(ignored_reason="Outbound calls are not queue calls.")

    caller = _one(fields, "from")
    users = _values(fields, "user") + _values(fields, "user[]")
    agent = _one(fields, "answeringNumber") or (users[-1] if users else "")
    base_id = f"cti:{call_id}:{event}"

    def make(kind: EventType, event_id: str = base_id, **extra: str) -> CallEvent:
        return CallEvent(
            event_id=event_id,
            call_id=call_id,
            type=kind,
            at=at,
            number=_one(fields, "to"),
            caller="" if caller.lower() == "anonymous" else caller,
            answer_group=answer_group or _one(fields, "queue"),
            **extra,
        )

    if event == "newCall":
        return CtiResult([make(EventType.OFFERED), make(EventType.QUEUED, f"{base_id}:queued")])
    if event == "answer":
        return CtiResult([make(EventType.ANSWERED, agent=agent)])
    kind = _HANGUP_TYPE[cause]
    events = [make(kind, agent=agent)]
    if kind is EventType.TRANSFERRED:
        events.append(make(EventType.ENDED, f"{base_id}:ended", agent=agent))
    return CtiResult(events)
