"""What the test modules share: the server under test from the environment, and end-user ids no other test uses."""

import os
import sys
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from memory_layer import MemoryLayer  # noqa: E402


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise unittest.SkipTest("{} is not set: run these tests through tests/integration/python-sdk.test.ts".format(name))
    return value


def base_url() -> str:
    return env("MEMORY_LAYER_BASE_URL")


def api_key() -> str:
    return env("MEMORY_LAYER_API_KEY")


def other_api_key() -> str:
    """A key of another account, for cross-tenant checks."""
    return env("MEMORY_LAYER_OTHER_API_KEY")


def client(**options) -> MemoryLayer:
    return MemoryLayer(api_key(), base_url=base_url(), **options)


def new_user(label: str = "user") -> str:
    return "{}-{}@example.com".format(label, uuid.uuid4().hex[:12])
