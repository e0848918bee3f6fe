from django.db import migrations

DEFAULT_ITEMS = {
    "quality": [
        "The service or product was well prepared and accurate.",
        "It was delivered by people who know the subject.",
    ],
    "relevance": [
        "It addressed a need of my agency or district.",
        "It fit the priorities we are working on now.",
    ],
    "usefulness": [
        "I can use what I received in my work.",
        "It will help us make progress on the project's goals.",
    ],
}


def add_items(apps, schema_editor):
    SurveyItem = apps.get_model("accountability", "SurveyItem")
    for dimension, texts in DEFAULT_ITEMS.items():
        for order, text in enumerate(texts, start=1):
            SurveyItem.objects.get_or_create(dimension=dimension, text=text, defaults={"order": order})


def remove_items(apps, schema_editor):
    SurveyItem = apps.get_model("accountability", "SurveyItem")
    for dimension, texts in DEFAULT_ITEMS.items():
        SurveyItem.objects.filter(dimension=dimension, text__in=texts, answers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_attestation_surveys_report")]

    operations = [migrations.RunPython(add_items, remove_items)]
