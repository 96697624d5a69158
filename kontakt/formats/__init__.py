"""Date formats: ISO dates and 24-hour times in English too, as Nordic staff expect."""
