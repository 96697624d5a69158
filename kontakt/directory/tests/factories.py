"""Factories of the organisation."""

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from kontakt.accounts.models import User
from kontakt.directory.models import Absence, AbsenceReason, Department, Employee, Unit
from kontakt.directory.services import employee_save


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Förvaltning {n}")
    code = factory.Sequence(lambda n: f"dept{n}")


# Directory of employees (availability) -----------------------------------------------------


class UnitFactory(factory.django.DjangoModelFactory[Unit]):
    class Meta:
        model = Unit

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")


class EmployeeFactory(factory.django.DjangoModelFactory[Employee]):
    class Meta:
        model = Employee

    given_name = factory.Faker("first_name", locale="sv_SE")
    family_name = factory.Faker("last_name", locale="sv_SE")
    display_name = factory.LazyAttribute(lambda e: f"{e.given_name} {e.family_name}")
    unit = factory.SubFactory(UnitFactory)
    direct_number = factory.Sequence(lambda n: f"+4640628{n % 10000:04d}")


class AbsenceFactory(factory.django.DjangoModelFactory[Absence]):
    class Meta:
        model = Absence

    employee = factory.SubFactory(EmployeeFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(hours=3))
    reason = AbsenceReason.AWAY


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
