"""MemoryLayerClient from our package: the reference's usage code, unchanged except for where the class comes from."""

import os
import unittest

import support
from memory_layer import AuthenticationError, MemoryLayerClient


class ReferenceClientTest(unittest.TestCase):
    def test_the_references_usage_works_with_our_client(self):
        API_KEY = support.api_key()
        self.assertEqual(os.environ["MEMORY_LAYER_BASE_URL"], support.base_url(), "the client finds the server here")

        # Usage, as the reference writes it (its user id is the reference's; other tests use their own).
        client = MemoryLayerClient(API_KEY, user_id="john_doe@gmail.com")
        stored = client.remember("I am building a React dashboard for a SaaS startup")
        reply = client.chat("What am I building?")

        self.assertEqual(stored["status"], "success")
        self.assertIsInstance(reply, str)
        self.assertIn("React dashboard for a SaaS startup", reply)
        results = client.recall("What am I building?")
        self.assertIsInstance(results, list)
        self.assertEqual(results[0]["memory"]["content"], "I am building a React dashboard for a SaaS startup")
        self.assertLessEqual(len(client.recall("What am I building?", limit=1)), 1)
        self.assertEqual(client.headers["Authorization"], "Bearer " + API_KEY)
        self.assertEqual(client.user_id, "john_doe@gmail.com")

    def test_recall_at_threshold_0_3_finds_it_first_among_other_memories(self):
        client = MemoryLayerClient(support.api_key(), user_id=support.new_user("reference"), base_url=support.base_url())
        client.remember("I enjoy hiking in the Alps on weekends")
        client.remember("I am building a React dashboard for a SaaS startup")
        client.remember("My favourite food is ramen")
        results = client.recall("What am I building?")
        self.assertEqual(results[0]["memory"]["content"], "I am building a React dashboard for a SaaS startup")
        self.assertTrue(all(r["memory"]["external_user_id"] == client.user_id for r in results))

    def test_errors_are_raised_not_returned(self):
        client = MemoryLayerClient("mlive_wrong", user_id=support.new_user(), base_url=support.base_url())
        with self.assertRaises(AuthenticationError):
            client.remember("anything")


if __name__ == "__main__":
    unittest.main()
