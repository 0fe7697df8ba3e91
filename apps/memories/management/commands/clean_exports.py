from django.conf import settings
from django.core.management.base import BaseCommand

from apps.memories.exports.services import exports_clean


class Command(BaseCommand):
    help = "Remove export files older than EXPORT_RETENTION_HOURS, and those of deleted projects or tasks."

    def handle(self, *args, **options):
        report = exports_clean()
        self.stdout.write(f"removed {len(report.removed)} from {settings.EXPORT_DIR}")
        for name in report.removed:
            self.stdout.write(f"  {name}")
