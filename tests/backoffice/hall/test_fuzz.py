"""The hall's OpenAPI document fuzzed with schemathesis over real HTTP: no 500, no crash, every
error in the documented body. Bounded: a few examples per operation (the run stays well under a
minute on the shared 2-core machine); ``HALL_FUZZ_EXAMPLES`` raises it for a longer run."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.backoffice.hall.conftest import LiveHall

EXAMPLES = int(os.environ.get("HALL_FUZZ_EXAMPLES", "10"))


def test_openapi_fuzz_no_server_error(live_hall_sqlite: LiveHall) -> None:
    live = live_hall_sqlite
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    headers = {"Authorization": f"Bearer {live.tokens.admin}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 20
    seen: dict[str, set[int]] = {}

    def fuzz(operation: Any) -> None:
        label = operation.label

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call(headers=headers, timeout=30)
            seen.setdefault(label, set()).add(response.status_code)
            assert response.status_code < 500, (label, response.text)
            if response.status_code >= 400:
                assert set(response.json()) == {"error", "message", "message_zh"}, \
                    (label, response.text)

        check()

    for operation in operations:
        fuzz(operation)
    assert len(seen) == len(operations)
