import os

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from intake.demo import intake_demo_load
from meetings.demo import meetings_demo_load
from projects.demo import demo_world_load


class Command(BaseCommand):
    help = (
        "Load the demo world: CSDE, NYSED and RIDE, their districts and partner centers, the RAB and "
        "RCC with past and upcoming meetings, the Connecticut educator-diversity project and others, "
        "and the demo accounts. "
        "Demo accounts get DEMO_PASSWORD from the environment, else one random password printed once. "
        "Running it again changes nothing."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            result = demo_world_load(password=os.environ.get("DEMO_PASSWORD") or None)
            result.created += meetings_demo_load(today=timezone.localdate())
            result.created += intake_demo_load(today=timezone.localdate())
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Demo world loaded: {result.created} records created."))
        else:
            self.stdout.write("Demo world already loaded: nothing changed.")
        if result.passwords:
            password = next(iter(result.passwords.values()))
            self.stdout.write(
                self.style.WARNING(
                    f"Demo accounts {', '.join(result.passwords)} were created with the password "
                    f"{password}\nIt is shown only this once; set DEMO_PASSWORD to choose your own."
                )
            )
