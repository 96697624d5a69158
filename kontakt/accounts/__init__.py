"""Staff users, their roles, absence and API tokens."""
