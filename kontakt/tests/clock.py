"""Fixed moments for tests of business-hours arithmetic, in the center's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    """A wall-clock time in Stockholm; by default in March 2026, which has no holidays."""
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


# Monday 2 March 2026, 09:00: the center has been open an hour.
MONDAY_0900 = at(2, 9)
