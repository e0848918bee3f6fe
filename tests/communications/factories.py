from communications import services
from tests.stakeholders.factories import StakeholderFactory


def people(n, **kwargs):
    """`n` stakeholders (bulk-created quickly)."""
    return StakeholderFactory.create_batch(n, **kwargs)


def compose(author, **kwargs):
    defaults = {
        "subject": "Project update for {{ first_name }}",
        "body": "Dear {{ first_name }},\n\nThe **pilot** moves on.",
        "category": "project_update",
        "audience": {},
    }
    defaults.update(kwargs)
    return services.communication_compose(author=author, **defaults)
