"""Reads of telephony: agents' states, the routing picture, the work agents hold, IVR menus,
crisis mode, and the live and historical service level. Access checks for these pages and
endpoints live here.

One module per area; the public names are here too, so `selectors.live_figures` and the
like work for every caller.
"""

from .access import require_call_taker, require_feeder, require_watcher
from .config import telephony_settings
from .crisis import CRISIS_CACHE_KEY, crisis_current, crisis_log, crisis_message, crisis_shown
from .ivr import answer_group_for, ivr_menu
from .presence import (
    STATE_LABELS,
    agents_by_exchange_name,
    call_for_contact,
    caller_url,
    effective_state,
    presence_message,
    presence_of,
    presence_state,
    residents_by_callers,
    screen_pop_message,
    wrap_up_seconds,
    wrap_up_seconds_by_group,
)
from .routing import (
    QUEUED_PREFIX,
    STALE_WAITING,
    RoutingState,
    anyone_ready,
    queued_pk,
    routing_groups,
    routing_state,
)
from .statistics import (
    SUMMARY_COLUMNS,
    calls_queued_between,
    calls_today,
    figures_json,
    intervals_today,
    live_figures,
    service_level_between,
    service_level_of,
    summary_of,
    thresholds,
)
from .work import work_held, work_message, work_of, work_visible_to

__all__ = [
    "CRISIS_CACHE_KEY",
    "QUEUED_PREFIX",
    "STALE_WAITING",
    "STATE_LABELS",
    "SUMMARY_COLUMNS",
    "RoutingState",
    "agents_by_exchange_name",
    "answer_group_for",
    "anyone_ready",
    "call_for_contact",
    "caller_url",
    "calls_queued_between",
    "calls_today",
    "crisis_current",
    "crisis_log",
    "crisis_message",
    "crisis_shown",
    "effective_state",
    "figures_json",
    "intervals_today",
    "ivr_menu",
    "live_figures",
    "presence_message",
    "presence_of",
    "presence_state",
    "queued_pk",
    "require_call_taker",
    "require_feeder",
    "require_watcher",
    "residents_by_callers",
    "routing_groups",
    "routing_state",
    "screen_pop_message",
    "service_level_between",
    "service_level_of",
    "summary_of",
    "telephony_settings",
    "thresholds",
    "work_held",
    "work_message",
    "work_of",
    "work_visible_to",
    "wrap_up_seconds",
    "wrap_up_seconds_by_group",
]
