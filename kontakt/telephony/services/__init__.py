"""Writes of telephony: call events in, calls rebuilt, agents' states, routing offers,
callbacks, chats and e-mails handed out, crisis mode, exchanges' keys, queue_log imports.

One module per area; the public names are here too, so `services.call_events_record` and
the like work for every caller. Events are append-only and idempotent by event id; side
effects that reach people (a screen-pop, a state shown on a desktop, the wallboard) are
published after the commit (`kontakt.live.bus.publish_on_commit`).
"""

from .crisis import crisis_switch_off, crisis_switch_on
from .events import Recorded, call_events_record, call_events_recorded, exchange_create
from .queue_log import QueueLogImport, queue_log_import
from .routing import RoutingAnswer, routing_decide, routing_dispatch
from .states import presence_change
from .work import (
    WorkDraft,
    call_contact_logged,
    queued_contact_add,
    queued_contact_done,
    routing_batch,
)

__all__ = [
    "QueueLogImport",
    "Recorded",
    "RoutingAnswer",
    "WorkDraft",
    "call_contact_logged",
    "call_events_record",
    "call_events_recorded",
    "crisis_switch_off",
    "crisis_switch_on",
    "exchange_create",
    "presence_change",
    "queue_log_import",
    "queued_contact_add",
    "queued_contact_done",
    "routing_batch",
    "routing_decide",
    "routing_dispatch",
]
