"""Typed errors from the real API: 401, 422 with details, 404, and nothing of another account."""

import os
import unittest
import uuid
from unittest import mock

import support
from memory_layer import AuthenticationError, MemoryLayer, MemoryLayerError, NotFoundError, ValidationError


class ErrorsTest(unittest.TestCase):
    def setUp(self):
        self.memory = support.client()

    def test_a_bad_key_is_an_authentication_error(self):
        bad = MemoryLayer("mlive_not_a_real_key", base_url=support.base_url())
        with self.assertRaises(AuthenticationError) as caught:
            bad.recall("anything", support.new_user())
        error = caught.exception
        self.assertIsInstance(error, MemoryLayerError)
        self.assertEqual(error.status, 401)
        self.assertEqual(error.detail, "Invalid or missing API key")
        self.assertEqual(error.details, [])
        self.assertTrue(error.request_id)
        self.assertIn("401", str(error))

    def test_an_invalid_field_is_a_validation_error_with_details(self):
        with self.assertRaises(ValidationError) as caught:
            self.memory.recall("anything", support.new_user(), limit=0)
        error = caught.exception
        self.assertEqual(error.status, 422)
        self.assertEqual(error.detail, "Validation error")
        self.assertEqual(error.body["status"], "error")
        self.assertIn(["body", "limit"], [item["loc"] for item in error.details])
        self.assertIn("body.limit", str(error))

    def test_a_missing_field_is_reported_where_it_is_missing(self):
        with self.assertRaises(ValidationError) as caught:
            self.memory.request("POST", "/v1/memory/search", json={"external_user_id": support.new_user()})
        missing = [item for item in caught.exception.details if item["loc"] == ["body", "query"]]
        self.assertEqual(len(missing), 1, caught.exception.details)

    def test_an_unknown_memory_is_not_found(self):
        with self.assertRaises(NotFoundError) as caught:
            self.memory.get_memory(str(uuid.uuid4()))
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(caught.exception.detail, "Memory not found")
        with self.assertRaises(NotFoundError):
            self.memory.get_memory_detail(str(uuid.uuid4()))

    def test_another_account_sees_nothing_of_this_one(self):
        user = support.new_user("tenant")
        stored = self.memory.remember("Account secret: the launch is on Friday", user)
        intruder = MemoryLayer(support.other_api_key(), base_url=support.base_url())
        with self.assertRaises(NotFoundError):
            intruder.get_memory(stored["memory"]["id"])
        with self.assertRaises(NotFoundError):
            intruder.forget(stored["memory"]["id"])
        self.assertEqual(intruder.recall("When is the launch?", user, threshold=0.0)["results"], [])
        self.assertEqual(intruder.search("launch Friday", user)["total"], 0)
        self.assertEqual(list(intruder.export(user_id=user)), [])
        self.assertEqual(self.memory.get_memory(stored["memory"]["id"])["content"], "Account secret: the launch is on Friday")

    def test_a_key_is_required(self):
        with mock.patch.dict(os.environ):
            os.environ.pop("MEMORY_LAYER_API_KEY", None)
            with self.assertRaises(ValueError):
                MemoryLayer("", base_url=support.base_url())


if __name__ == "__main__":
    unittest.main()
