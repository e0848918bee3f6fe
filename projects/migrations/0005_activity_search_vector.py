"""Full-text search of activities on PostgreSQL: a stored tsvector of the summary (weight A) and
the next steps (weight B), kept by the database itself, with a GIN index.

The column is not a model field: the embedded SQLite database has no tsvector, and searching
there falls back to a substring match (projects.search). Inserts and updates need not name it.
"""

from django.db import migrations

ADD = """
ALTER TABLE projects_activity ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(next_steps, '')), 'B')
) STORED;
CREATE INDEX projects_activity_search_vector_gin ON projects_activity USING gin (search_vector);
"""

DROP = """
DROP INDEX IF EXISTS projects_activity_search_vector_gin;
ALTER TABLE projects_activity DROP COLUMN IF EXISTS search_vector;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_bounded_text_and_activity_hours")]

    operations = [migrations.RunPython(on_postgresql(ADD), on_postgresql(DROP), elidable=False)]
