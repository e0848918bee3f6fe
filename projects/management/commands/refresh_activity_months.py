from django.core.management.base import BaseCommand

from projects.services.rollups import activity_month_refresh


class Command(BaseCommand):
    help = (
        "Bring the monthly activity-hours rollup behind the dashboards up to date. Use --full after "
        "loading activities without the ORM (seed_scale, SQL imports)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild the whole rollup.")

    def handle(self, *args, full=False, **options):
        cells = activity_month_refresh(full=full)
        self.stdout.write(f"Recomputed {cells} (SEA, month) cells.")
