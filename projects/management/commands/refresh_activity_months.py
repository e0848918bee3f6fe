from django.core.management.base import BaseCommand

from projects.services.rollups import activity_month_refresh


class Command(BaseCommand):
    help = (
        "Check the monthly activity-hours rollup behind the dashboards against the activities and "
        "repair the cells that differ. Use --full to rebuild it after loading activities around the "
        "portal's services (SQL imports, COPY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild the whole rollup.")

    def handle(self, *args, full=False, **options):
        cells = activity_month_refresh(full=full)
        self.stdout.write(f"Rewrote {cells} rollup cells.")
