"""Factories of the organisation."""

from typing import Any

import factory

from kontakt.accounts.models import User
from kontakt.directory.models import Department, Employee, Unit
from kontakt.directory.services import employee_save


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Förvaltning {n}")
    code = factory.Sequence(lambda n: f"dept{n}")


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")


def make_employee(
    display_name: str,
    *,
    unit: Unit | None = None,
    by: User | None = None,
    **values: Any,
) -> Employee:
    """An entry made the one way entries are made (versioned, indexed for search)."""
    given, _space, family = display_name.partition(" ")
    fields = {
        "display_name": display_name,
        "given_name": given,
        "family_name": family,
        "unit_id": unit.pk if unit is not None else None,
        **values,
    }
    employee, _changes = employee_save(employee=None, values=fields, by=by)
    return employee
