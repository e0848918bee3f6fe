import os

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from projects import hooks
from projects.demo import demo_passwords_reset, demo_world_load


class Command(BaseCommand):
    help = (
        "Load the demo world: CSDE, NYSED and RIDE, their districts and partner centers, the RAB and "
        "RCC with past and upcoming meetings, the Connecticut educator-diversity project and others, "
        "and the demo accounts. "
        "Demo accounts get DEMO_PASSWORD from the environment, else one random password printed once. "
        "Running it again changes nothing. --reset-passwords gives the demo accounts DEMO_PASSWORD "
        "(or a new random password, printed) when the first one is lost."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the demo accounts' password to DEMO_PASSWORD, else to a new one printed once.",
        )

    def handle(self, *args, **options):
        if options["reset_passwords"]:
            usernames, password = demo_passwords_reset(password=os.environ.get("DEMO_PASSWORD") or None)
            if not usernames:
                self.stdout.write("No demo accounts yet: run seed_demo first.")
                return
            shown = "DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else password
            self.stdout.write(
                self.style.WARNING(f"Demo accounts {', '.join(usernames)} now have the password {shown}")
            )
            return
        with transaction.atomic():
            result = demo_world_load(password=os.environ.get("DEMO_PASSWORD") or None)
            for load in hooks.demo_loaders():
                result.created += load(today=timezone.localdate())
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
