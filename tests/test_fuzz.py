"""Fuzz the API from its own OpenAPI document with schemathesis: no 5xx, every response conforms.

Valid inputs (positive) must get a documented 2xx; invalid ones (negative) a documented 4xx.
Examples are bounded so the module runs in well under a minute on an idle machine.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from qa.config import Settings
from qa.embed.embedder import Embedder
from tests.conftest import SEED_QUESTION
from web import create_app

POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
# (method, path, generation mode, examples): valid questions run the model, so fewer of them.
CASES = [
    ("POST", "/api/ask", POSITIVE, 10),
    ("POST", "/api/ask", NEGATIVE, 40),
    ("GET", "/api/health", POSITIVE, 5),
    ("GET", "/api/articles", POSITIVE, 25),
    ("GET", "/api/articles", NEGATIVE, 25),
    ("GET", "/api/articles/{article_id}", POSITIVE, 25),
    ("GET", "/api/openapi.json", POSITIVE, 5),
]
REFUSALS = ["400", "404", "405", "413", "415"]
STATUSES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def app(seed_index: Settings, embedder: Embedder) -> Flask:
    return create_app(seed_index)


@pytest.fixture(scope="module")
def schema(app: Flask):
    # A question over the length limit is refused with 413 question_too_long, as documented.
    config = schemathesis.Config.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
    )
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)


@pytest.mark.parametrize(("method", "path", "mode", "examples"), CASES)
def test_fuzzed_requests_conform_and_never_fail(
    schema, app: Flask, method: str, path: str, mode: GenerationMode, examples: int
) -> None:
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        # Checks: no server error, documented status, content type and body; invalid data
        # refused (unless negating it made no difference, as with an unknown query parameter).
        response = case.call_and_validate()
        STATUSES[response.status_code] += 1
        assert response.status_code < 500

    run()
    good = app.test_client().post("/api/ask", json={"question": SEED_QUESTION, "k": 1})
    assert good.status_code == 200
    assert "SANA reported" in good.json["passages"][0]["text"]


def test_fuzzing_reached_every_kind_of_answer() -> None:
    """The fuzz cases above got answers and refusals, and no server error (runs after them)."""
    print(f"\nfuzz statuses: {dict(sorted(STATUSES.items()))} ({STATUSES.total()} requests)")
    if not STATUSES:
        pytest.skip("run with the fuzz cases above")
    assert STATUSES[200] > 0 and any(400 <= s < 500 for s in STATUSES)
    assert not any(status >= 500 for status in STATUSES)
