"""Operating Kontakt: backup and restore of its database and uploaded files.

Sits at the top of the layers, beside the command line: it knows the database and the media
directory through Django's settings and imports no app.
"""
