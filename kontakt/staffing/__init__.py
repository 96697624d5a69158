"""Staffing: Erlang C and A, forecasts, staffing plans and the what-if simulator."""
