import factory
from django.contrib.auth.models import Group

from accounts.models import Role, User
from tests.stakeholders.factories import SEAFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        add_role(self, create, extracted)


def add_role(user, create, role):
    if create and role:
        # get_or_create: transactional tests flush the groups the data migration made.
        user.groups.add(Group.objects.get_or_create(name=Role(role).value)[0])


class SEAStaffFactory(UserFactory):
    sea = factory.SubFactory(SEAFactory)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        add_role(self, create, extracted or Role.SEA_STAFF)


class FacilitatorFactory(UserFactory):
    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        add_role(self, create, extracted or Role.FACILITATOR)


class AdministratorFactory(UserFactory):
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        add_role(self, create, extracted or Role.ADMINISTRATOR)
