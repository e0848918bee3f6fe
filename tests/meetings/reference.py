"""Reference data the data migrations load (role groups, the five conditions), made sure of.

Browser tests run their fixtures while Playwright's event loop is active, where Django may hand
out a fresh connection object without the serialized copy that `serialized_rollback` restores
from; after an earlier transactional test flushed the tables, these rows would be missing.
"""

import importlib

from django.apps import apps


def reference_data_ensure() -> None:
    importlib.import_module("accounts.migrations.0003_role_groups").create_role_groups(apps, None)
    importlib.import_module("projects.migrations.0002_five_conditions").load_conditions(apps, None)
