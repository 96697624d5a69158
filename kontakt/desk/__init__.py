"""The agent desktop and the department queue: the staff pages."""
