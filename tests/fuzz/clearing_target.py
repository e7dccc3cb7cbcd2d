"""Fuzz target: JSON into the clearing service, by schemathesis from its own OpenAPI document.

Every operation of ``/openapi.json`` gets valid and schema-violating requests (bodies, query
and path parameters, headers), in process through the ASGI app over SQLite. Checks on every
answer:

* no 5xx (``not_a_server_error``), an answer the document describes (status code, content type,
  body schema), the documented ``{error, message}`` body for every error;
* a request the service refuses (4xx) writes nothing: the stored transactions, flags, hotlist
  and cards are what they were. (An upload's malformed *records* are answered 200 with each
  record rejected and flagged, as documented: that is the one write a bad input makes.)
* schema-violating data must be refused, except in an upload, where each record is judged on
  its own (``negative_data_rejection`` is not asked of ``POST /v1/transactions``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from backoffice.clearing.app import build_service, create_app
from backoffice.clearing.service import ClearingService
from tests.backoffice.conftest import TOKEN, settings_for

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
PER_RECORD = "POST /v1/transactions"


@dataclass
class Clearing:
    app: Any
    service: ClearingService
    schema: Any

    def state(self) -> tuple[object, ...]:
        """What a refused request must leave as it was."""
        svc = self.service
        return (len(svc.transactions(limit=10_000)), len(svc.flagged(limit=10_000)),
                svc.hotlist(None).version, len(svc.cards()))

    def operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations()]


@contextmanager
def clearing(directory: Path | None = None) -> Iterator[Clearing]:
    """The clearing app over a fresh SQLite database (the demo cards registered)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-clearing-") as tmp:
        where = directory or Path(tmp)
        conf = settings_for(f"sqlite:///{where / 'clearing.sqlite3'}", demo=True)
        service = build_service(conf)
        app = create_app(conf, service=service)
        try:
            config = SchemathesisConfig.from_dict({"auth": {"openapi": {"token": {
                "bearer": TOKEN}}}})
            yield Clearing(app, service, schemathesis.openapi.from_asgi("/openapi.json", app,
                                                                        config=config))
        finally:
            service.repo.db.close()


def check_case(target: Clearing, operation: Any, case: Any) -> int:
    """Send one generated request and check the answer; returns its status code."""
    before = target.state()
    headers = dict(case.headers or {})
    response = case.call()
    checks = list(CHECKS)
    if operation.label != PER_RECORD:
        checks.append(negative_data_rejection)
    case.validate_response(response, checks=checks, headers=headers)
    if response.status_code >= 400:
        body = response.json()
        assert {"error", "message"} <= set(body), body
        assert target.state() == before, f"{operation.label} refused yet wrote"
    return int(response.status_code)


def cases(operation: Any) -> st.SearchStrategy[Any]:
    """Valid and schema-violating requests for ``operation``."""
    return st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                     operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))


def fuzz_operation(target: Clearing, operation: Any, examples: int, *,
                   seen: Callable[[int], None] = lambda status: None) -> None:
    """``examples`` generated requests for one operation (hypothesis shrinks a failure)."""

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(cases(operation))
    def run(case: Any) -> None:
        seen(check_case(target, operation, case))

    run()
