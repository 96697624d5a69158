"""Writes of the SCIM endpoint: every change of an entry goes through `employee_save` with
the source "scim" and no user (the identity system made it)."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from ..models import Employee, EmployeeChangeSource, ProvisioningClient, Unit
from ..services import employee_save
from .errors import ScimError, bad

SOURCE = EmployeeChangeSource.SCIM


def provisioning_client_create(*, name: str) -> tuple[ProvisioningClient, str]:
    """Register an identity system; its token is returned once, only the hash is kept."""
    key = ProvisioningClient.new_key()
    client = ProvisioningClient(
        name=name, prefix=key[3:11], key_hash=ProvisioningClient.hash_key(key)
    )
    client.full_clean()
    client.save()
    return client, key


def _check_unique(values: dict[str, Any], employee: Employee | None) -> None:
    others = Employee.objects.exclude(pk=employee.pk) if employee is not None else Employee.objects
    if values.get("user_name") and others.filter(user_name__iexact=values["user_name"]).exists():
        raise ScimError(409, "Another user has this userName.", "uniqueness")
    if values.get("external_id") and others.filter(external_id=values["external_id"]).exists():
        raise ScimError(409, "Another user has this externalId.", "uniqueness")


@transaction.atomic
def user_create(*, values: dict[str, Any]) -> Employee:
    _check_unique(values, None)
    employee, _changes = employee_save(employee=None, values=values, by=None, source=SOURCE)
    return employee


@transaction.atomic
def user_replace(*, employee: Employee, values: dict[str, Any]) -> Employee:
    _check_unique(values, employee)
    saved, _changes = employee_save(employee=employee, values=values, by=None, source=SOURCE)
    return saved


def user_deactivate(*, employee: Employee) -> Employee:
    """SCIM's DELETE: the entry stays, with its name, for history; it is only inactive."""
    saved, _changes = employee_save(
        employee=employee, values={"active": False}, by=None, source=SOURCE
    )
    return saved


def _members(ids: Iterable[Any]) -> list[Employee]:
    wanted: list[uuid.UUID] = []
    for value in ids:
        try:
            wanted.append(uuid.UUID(str(value)))
        except ValueError:
            raise bad(f"No user has the id {str(value)[:100]}.", "invalidValue") from None
    found = list(Employee.objects.filter(scim_id__in=wanted))
    if len(found) != len(set(wanted)):
        raise bad("A member is no user of this directory.", "invalidValue")
    return found


@transaction.atomic
def group_members_set(*, unit: Unit, ids: Iterable[Any]) -> None:
    """The unit's employees become exactly these: one who joins moves from their unit to
    this one; one who is left out is left without a unit."""
    members = _members(ids)
    keep = {employee.pk for employee in members}
    for employee in members:
        if employee.unit_id != unit.pk:
            employee_save(employee=employee, values={"unit_id": unit.pk}, by=None, source=SOURCE)
    for employee in Employee.objects.filter(Q(unit=unit) & ~Q(pk__in=keep)):
        employee_save(employee=employee, values={"unit_id": None}, by=None, source=SOURCE)
