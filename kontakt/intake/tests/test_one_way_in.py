"""Every contact enters through the intake service: read from the code, and counted while
the desk, the API and the demo's seeding log contacts."""

import ast
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import kontakt
from kontakt.accounts.models import User
from kontakt.cases import services as case_services
from kontakt.cases.models import CaseType, Contact
from kontakt.demo import municipality, seed
from kontakt.intake import services as intake_services
from kontakt.residents.models import Resident
from kontakt.tests.clock import MONDAY_0900

ROOT = Path(kontakt.__file__).parent
CONTACT_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(relative.parts):
            continue
        yield ".".join(("kontakt", *relative.with_suffix("").parts)), ast.parse(path.read_text())


def _calls(predicate: Callable[[ast.Call], bool], *, contact_modules: bool = False) -> set[str]:
    """Where in the code (module.function) a call matching the predicate is made; with
    `contact_modules`, only in modules where `Contact` is the cases' model."""
    found = set()
    for module, tree in _modules():
        if contact_modules and not _names_the_contact_model(module, tree):
            continue
        functions = {
            inner: node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and predicate(node):
                found.add(f"{module}.{functions.get(node, '<module>')}")
    return found


def _names_the_contact_model(module: str, tree: ast.Module) -> bool:
    """Whether the module binds `Contact` to kontakt.cases.models.Contact (the router's and
    the simulator's own Contact are other things)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(a.name == "Contact" for a in node.names):
            absolute = node.module == "kontakt.cases.models"
            relative = node.level == 1 and node.module == "models"
            if absolute or (relative and module.startswith("kontakt.cases.")):
                return True
    return False


def _makes_a_contact(call: ast.Call) -> bool:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id == "Contact"
    if isinstance(function, ast.Attribute) and function.attr in CONTACT_WRITES:
        manager = function.value
        return (
            isinstance(manager, ast.Attribute)
            and manager.attr == "objects"
            and isinstance(manager.value, ast.Name)
            and manager.value.id == "Contact"
        )
    return False


def _calls_named(name: str) -> Callable[[ast.Call], bool]:
    def matches(call: ast.Call) -> bool:
        function = call.func
        return (isinstance(function, ast.Name) and function.id == name) or (
            isinstance(function, ast.Attribute) and function.attr == name
        )

    return matches


def test_only_the_cases_record_makes_a_contact_and_only_the_intake_calls_it() -> None:
    assert _calls(_makes_a_contact, contact_modules=True) == {
        "kontakt.cases.services.contact_record"
    }
    assert _calls(_calls_named("contact_record")) == {"kontakt.intake.services.contact_intake"}


def test_the_channels_that_log_contacts_call_the_intake() -> None:
    assert _calls(_calls_named("contact_intake")) == {
        "kontakt.desk.views.contact_log",
        "kontakt.intake.api.contact_create",
        "kontakt.demo.seed.seed_traffic",
        "kontakt.switchboard.services.message_take",
        "kontakt.switchboard.services._transfer_answered_log",
        "kontakt.switchboard.services.number_given",
        "kontakt.portal.form_services.form_submit",
        "kontakt.open311.services.request_file",
        "kontakt.mail.services.mail_answer",
        "kontakt.sms.services.sms_answer",
        "kontakt.letters.services.letter_register",
        "kontakt.chat.services.chat_end",
    }


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of intake calls and of contacts stored by the cases' record."""
    counts = {"intake": 0, "record": 0}

    def counting(name: str, module: Any, attribute: str) -> None:
        original = getattr(module, attribute)

        def wrapper(**kwargs: Any) -> Any:
            counts[name] += 1
            return original(**kwargs)

        monkeypatch.setattr(module, attribute, wrapper)

    counting("intake", intake_services, "contact_intake")
    counting("record", case_services, "contact_record")
    return counts


@pytest.mark.django_db
def test_the_desk_logs_through_the_intake(
    counted: dict[str, int], client_for: Callable[[User | None], Client], agent: User
) -> None:
    answer = client_for(agent).post(
        "/desk/contacts/", {"channel": "phone", "outcome": "closed", "priority": "2"}
    )
    assert answer.status_code == 302
    assert Contact.objects.count() == counted["intake"] == counted["record"] == 1


@pytest.mark.django_db
def test_the_api_logs_through_the_intake(
    counted: dict[str, int], api_client: Client, parking_type: CaseType
) -> None:
    for outcome in ("closed", "forwarded"):
        answer = api_client.post(
            "/api/v1/contacts",
            {"channel": "email", "outcome": outcome, "case_type": parking_type.code},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.json()
    assert Contact.objects.count() == counted["intake"] == counted["record"] == 2


@pytest.mark.django_db
def test_the_demo_seeds_its_contacts_through_the_intake(
    counted: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(municipality, "DEMO_DAYS", municipality.DEMO_DAYS / 10)
    rng = random.Random(7)
    seed.seed_configuration()
    seed.seed_staff()
    residents = seed.seed_residents(rng, count=20)
    created = seed.seed_traffic(rng, residents, now=MONDAY_0900, progress=False)
    assert created > 50
    assert Contact.objects.count() == counted["intake"] == counted["record"]
    assert Resident.objects.count() == 20
