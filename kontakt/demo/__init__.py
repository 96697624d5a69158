"""The demo: a fictional municipality with two months of traffic."""
