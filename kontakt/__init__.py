"""Kontakt: the one front door through which residents reach their city."""
