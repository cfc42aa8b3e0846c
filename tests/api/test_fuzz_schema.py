"""schemathesis against the live OpenAPI document, in make test: every operation of /api/v1/ gets a
bounded number of generated requests (valid and invalid), through the real WSGI stack and
middleware; no answer may be a 5xx, and every answer must match the document (status, headers,
content type, body schema)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from api.v1 import api

# Examples per operation: enough to reach every parameter, small enough for CI (≈ 10 s in all).
EXAMPLES = 25

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request (request_finished);
    inside a test that would close the test's transaction. Django's own test client switches this
    off in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                            HealthCheck.filter_too_much])
def test_every_operation_matches_its_schema(case, city, keep_test_connection):
    case.call_and_validate()
