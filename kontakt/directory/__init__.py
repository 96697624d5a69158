"""Departments, units, answer groups, opening hours and closed days."""
