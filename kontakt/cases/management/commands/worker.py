from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run a task worker: on the database queue by default, on Redis (RQ) when REDIS_URL is "
        "set. The same task code runs on either."
    )

    def handle(self, *args, **options):
        queues = settings.TASKS["default"].get("QUEUES", ["default"])
        if settings.REDIS_URL:
            call_command("rqworker", *queues, job_class="django_tasks_rq.Job", with_scheduler=True)
        else:
            call_command("db_worker", queue_name=",".join(queues), interval=1)
