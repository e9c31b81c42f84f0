"""The OpenAPI document validates, and requests generated from it (schemathesis) never get a
500 nor a response that breaks the document."""
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import checks

from .conftest import API

pytestmark = pytest.mark.xdist_group("web-openapi")

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


def test_the_document_is_valid_openapi(hall):
    spec = requests.get(f"{hall.url}{API}/openapi.json", timeout=10).json()
    validate(spec)
    assert spec["components"]["securitySchemes"], "bearer tokens are documented"


def test_generated_requests_get_no_500_and_conform(hall):
    """Every operation, with requests generated from its documented parameters and bodies, sent
    as callers that pass the role checks and callers stopped by them."""
    hall.counter_action("clerk-a", 1, "sign-in")
    hall.issue("fee")
    schema = schemathesis.openapi.from_url(f"{hall.url}{API}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    # logout is sent with tokens of their own, taken before the generated logins get this
    # address throttled: the callers' tokens must outlive it
    spare = {who: hall.server.login(who) for who in ("admin", "clerk-a")}

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def requests_to(case) -> None:
            for who in ("admin", "clerk-a", "kiosk"):
                token = hall[who].token
                if case.operation.path.endswith("/auth/logout"):
                    token = spare.get(who, token)
                case.call_and_validate(base_url=hall.url, headers={"Authorization": f"Bearer {token}"},
                                       checks=CHECKS)

        requests_to()
