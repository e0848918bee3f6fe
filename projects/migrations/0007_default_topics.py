from django.db import migrations

# The service areas of the comprehensive centers; administrators add, rename or retire topics
# in the admin afterwards.
TOPICS = (
    ("educator-workforce", "Educator workforce", "Recruiting, preparing, diversifying and retaining educators."),
    ("assessment", "Assessment and accountability", "State assessments, accountability systems and reporting."),
    ("school-improvement", "School improvement", "Supporting schools identified for improvement."),
    ("data-use", "Data use and evidence", "Using data and evidence to plan, monitor and decide."),
    ("literacy", "Literacy", "Early and adolescent literacy, the science of reading."),
    ("mathematics", "Mathematics", "Mathematics instruction and achievement."),
    ("english-learners", "English learners", "Services for multilingual and English learners."),
    ("special-education", "Students with disabilities", "Special education and inclusive practice."),
    ("student-wellbeing", "Student well-being and school climate", "Safe, supportive learning environments."),
    ("family-engagement", "Family and community engagement", "Engaging families and communities."),
    ("early-learning", "Early learning", "Early childhood and the transition to school."),
    ("college-career", "College and career readiness", "Pathways to postsecondary education and work."),
    ("rural-education", "Rural education", "Supports for rural districts and schools."),
    ("strategic-planning", "Strategic planning and organizational capacity", "SEA strategy, structure and capacity."),
    ("funding-resources", "Resource allocation", "Federal programs, funding and resource equity."),
)


def load_topics(apps, schema_editor):
    Topic = apps.get_model("projects", "Topic")
    for slug, name, description in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_work_topics_status_machines_products")]

    operations = [migrations.RunPython(load_topics, migrations.RunPython.noop)]
