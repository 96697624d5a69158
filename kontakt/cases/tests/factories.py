"""Factories of case types and cases; cases are opened through the service, as in life."""

from datetime import timedelta

import factory

from kontakt.accounts.models import User
from kontakt.cases import services
from kontakt.cases.models import Case, CaseType
from kontakt.directory.tests.factories import DepartmentFactory


class CaseTypeFactory(factory.django.DjangoModelFactory[CaseType]):
    class Meta:
        model = CaseType
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Ärendetyp {n}")
    code = factory.Sequence(lambda n: f"type{n}")
    department = factory.SubFactory(DepartmentFactory)
    response_time = timedelta(hours=16)


class CaseFactory(factory.Factory[Case]):
    """A case opened with `case_create`: a real reference, due time and timeline."""

    class Meta:
        model = Case

    case_type = factory.SubFactory(CaseTypeFactory)
    subject = factory.Sequence(lambda n: f"Ärende {n}")
    description = ""
    resident = None
    department = None
    by: User | None = None
    now = None

    @classmethod
    def _create(cls, model_class: type[Case], *args: object, **kwargs: object) -> Case:
        by = kwargs.pop("by")
        now = kwargs.pop("now")
        draft = services.CaseDraft(**kwargs)  # type: ignore[arg-type]
        return services.case_create(draft=draft, by=by, now=now)  # type: ignore[arg-type]
