"""Shared test helpers: the sample events and a Lambda-like context."""
import json
import pathlib
import sys
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class FakeContext:
    """The attributes of Lambda's context object that handlers commonly read."""

    function_name = "test"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"

    def __init__(self):
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self):
        return 30_000


@pytest.fixture
def context():
    return FakeContext()


@pytest.fixture
def sample_event():
    def load(name):
        return json.loads((ROOT / "events" / f"{name}.json").read_text())

    return load


@pytest.fixture
def manifest():
    return json.loads((ROOT / "lambda-image.json").read_text())
