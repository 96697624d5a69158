"""Factories of the organisation."""

import factory

from kontakt.directory.models import Department


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Förvaltning {n}")
    code = factory.Sequence(lambda n: f"dept{n}")
