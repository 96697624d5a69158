"""A throwaway dovecot (Debian's) on a loopback port for the e-mail benchmark: the one the
mail tests start (kontakt/mail/tests/imap_server.py), with the benchmark's own user."""

from kontakt.mail.tests.imap_server import Dovecot, DovecotUnavailable, dovecot_start

USER, PASSWORD = "bench", "bench-imap-password"


def start() -> Dovecot:
    try:
        return dovecot_start(user=USER, password=PASSWORD, prefix="bench-dovecot-")
    except DovecotUnavailable as missing:
        raise SystemExit(str(missing)) from None
