"""Residents: the people and organisations who contact the city."""
