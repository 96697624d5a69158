"""Contacts, cases and case types: the records everything else hangs off."""
