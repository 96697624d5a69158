"""The `kontakt` command: Django's management commands and Kontakt's own."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontakt.settings")
    execute_from_command_line(["kontakt", *sys.argv[1:]])


if __name__ == "__main__":
    main()
