"""Shared plumbing of the staff pages and the JSON API, below every domain app.

`api` holds the API's object, authentication and the shape of its errors; `schemas` the
input rules every API body obeys; `pages` the staff pages' access decorators and the way a
service's errors reach a form; `forms` the form bases; `charts` the server-drawn charts.
Nothing here knows a domain app: apps import it, it imports only accounts and the core.
"""
