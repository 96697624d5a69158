"""Open311 read by an independent client: the `georeport` package from PyPI (a GeoReport v2
wrapper on requests and xmltodict), installed into a throwaway virtual environment made
by the test, never into the project, reads the services, a service's definition and the
requests from a live server, in JSON and in XML."""

import json
import subprocess
import venv
from pathlib import Path

import pytest
from django.test import Client

from kontakt.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "georeport==0.3.1"

SCRIPT = """
import json, sys
from georeport import GeoReport

base, output_format, reference = sys.argv[1:4]
client = GeoReport(base, jurisdiction="kommun.example", output_format=output_format)

def listed(value):
    return value if isinstance(value, list) else [value]

print(json.dumps({
    "services": listed(client.get_service_list()),
    "definition": client.get_service_definition("gatlampa"),
    "requests": listed(client.get_service_requests(service_code="gatlampa", status="open")),
    "request": client.get_service_request(reference),
}))
"""


@pytest.fixture(scope="session")
def georeport_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with `georeport` from the registry, in a virtual environment of its own."""
    home = tmp_path_factory.mktemp("georeport-venv")
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    try:
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                PACKAGE,
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        output = getattr(error, "stderr", b"") or b""
        pytest.skip(
            f"the package registry is unreachable, {PACKAGE} not installed: {output[-300:]!r}"
        )
    return python


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_services_and_requests(
    output_format, georeport_python, live_server, lamp_type, bench_type, lamp_request
):
    reference = (
        Client().post("/open311/v2/requests.json", lamp_request).json()[0]["service_request_id"]
    )
    result = subprocess.run(
        [
            str(georeport_python),
            "-c",
            SCRIPT,
            f"{live_server.url}/open311/v2",
            output_format,
            reference,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    read = json.loads(result.stdout)
    services = {s["service_code"]: s for s in read["services"]}
    assert set(services) == {"gatlampa", "parkbank"}
    assert services["gatlampa"]["service_name"] == "Trasig gatlampa"
    assert str(services["gatlampa"]["metadata"]).lower() == "true"
    attributes = read["definition"]["attributes"]
    if output_format == "xml":
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["fel", "stolpe"]
    requests = read["requests"]
    assert [r["service_request_id"] for r in requests] == [reference]
    request = read["request"]
    case = Case.objects.get(reference=reference)
    assert request["service_request_id"] == reference
    assert request["status"] == "open"
    assert request["address"] == case.address
    assert float(request["lat"]) == float(case.latitude or 0)
    assert request["service_code"] == "gatlampa"
