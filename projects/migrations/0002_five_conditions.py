from django.db import migrations

# The five conditions of collective impact, as the center defines them.
CONDITIONS = [
    (
        1,
        "common-agenda",
        "Common agenda",
        "A shared vision and goals that all stakeholders agree on.",
    ),
    (
        2,
        "shared-measurement",
        "Shared measurement",
        "Agreed indicators, collected consistently and reported to all.",
    ),
    (
        3,
        "mutually-reinforcing-activities",
        "Mutually reinforcing activities",
        "Each partner's work is coordinated and feeds the others.",
    ),
    (
        4,
        "continuous-communication",
        "Continuous communication",
        "Consistent, open communication that builds trust and keeps stakeholders invested: "
        "regular meetings, updates and feedback loops.",
    ),
    (
        5,
        "backbone-support",
        "Backbone support",
        "An organization that coordinates the partners, brokers relationships and connects "
        "SEAs with subject-matter experts.",
    ),
]


def load_conditions(apps, schema_editor):
    Condition = apps.get_model("projects", "Condition")
    for number, slug, name, description in CONDITIONS:
        Condition.objects.update_or_create(
            number=number, defaults={"slug": slug, "name": name, "description": description}
        )


def unload_conditions(apps, schema_editor):
    apps.get_model("projects", "Condition").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(load_conditions, unload_conditions)]
