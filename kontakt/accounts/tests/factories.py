"""Factories of staff users."""

import factory
from django.contrib.auth.models import Group

from kontakt.accounts.models import User
from kontakt.accounts.roles import Role


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A staff user; `role` names the role group to join (None for a user without a role)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda user: f"{user.username}@kommun.example")
    password = factory.django.Password("lykta-cykel-snö-42")

    # factory_boy calls a post-generation hook with the object made, not the factory.
    @factory.post_generation
    def role(self: User, create: bool, extracted: Role | str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
