from django.core.management.base import BaseCommand

from apps.tasks.services import tasks_sweep


class Command(BaseCommand):
    help = "Re-queue tasks whose worker died, fail those out of attempts, enqueue tasks the broker never got."

    def handle(self, *args, **options):
        report = tasks_sweep()
        self.stdout.write(
            f"requeued {len(report.requeued)}, failed {len(report.failed)}, enqueued {len(report.enqueued)}"
        )
        for kind in ("requeued", "failed", "enqueued"):
            for task_id in getattr(report, kind):
                self.stdout.write(f"  {kind}: {task_id}")
