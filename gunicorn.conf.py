"""gunicorn's settings for Kontakt: `gunicorn -c gunicorn.conf.py kontakt.wsgi` (`make run`).

Every value can be changed with the environment variable named beside it, or on the command
line. gunicorn reads FORWARDED_ALLOW_IPS itself (the proxies whose X-Forwarded-Proto it
trusts; 127.0.0.1 by default). See docs/operations.md.
"""

import os

bind = os.environ.get("KONTAKT_BIND", "127.0.0.1:8000")

# Processes. Without REDIS_URL the cache and the live updates live in memory and reach this
# process only, so there is one; with Redis, two per CPU (at most 8) unless WEB_CONCURRENCY.
workers = int(
    os.environ.get("WEB_CONCURRENCY")
    or (min(2 * (os.cpu_count() or 1), 8) if os.environ.get("REDIS_URL") else 1)
)
# Threads: every open staff desktop holds one for its live stream (up to 5 minutes at a
# time, then it reconnects), and ordinary requests need the rest.
worker_class = "gthread"
threads = int(os.environ.get("KONTAKT_WEB_THREADS", "50"))
# A worker whose main loop is silent this long is killed and replaced.
timeout = int(os.environ.get("KONTAKT_WEB_TIMEOUT", "60"))
# On SIGHUP (reload) or SIGTERM (stop), a worker finishes its requests for up to this long;
# live streams are cut and the browsers reconnect by themselves.
graceful_timeout = int(os.environ.get("KONTAKT_WEB_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Workers are replaced now and then, one at a time, so that no slow leak grows for weeks.
max_requests = 20000
max_requests_jitter = 2000

# Access log on stdout without query strings and referrers: staff searches carry names,
# phone numbers and identity numbers in the query string, and the next page's Referer too.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("KONTAKT_WEB_LOG_LEVEL", "info")
proc_name = "kontakt"
# Signals are the interface (HUP reloads, TERM stops): no control socket in the home folder.
control_socket_disable = True
