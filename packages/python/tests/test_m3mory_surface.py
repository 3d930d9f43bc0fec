"""The m3mory reference's paths through MemoryLayer: /v1/ingest, /v1/context, /v1/search, /v1/memories, /v1/status."""

import unittest
import uuid

import support
from memory_layer import NotFoundError


class M3morySurfaceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.memory = support.client()
        cls.user = support.new_user("m3mory")
        cls.ingested = cls.memory.ingest(
            [
                {"role": "assistant", "content": "Where do you live these days?"},
                {"role": "user", "content": "I just moved to Bristol"},
            ],
            cls.user,
            agent_id="my-assistant",
            metadata={"channel": "onboarding"},
        )

    def created_id(self):
        created = [m for m in self.ingested["memories"] if m["status"] == "created"]
        self.assertEqual(len(created), 1, self.ingested)
        return created[0]["id"]

    def test_ingest_extracts_a_memory_and_explains_each_message(self):
        self.assertEqual(self.ingested["memoriesCreated"], 1)
        self.assertIn("Bristol", self.ingested["memories"][0]["content"])
        self.assertEqual([d["messageIndex"] for d in self.ingested["decisions"]], [0, 1])
        self.assertIn(self.ingested["extraction"], ("llm", "offline"))
        uuid.UUID(self.created_id())

    def test_context_is_a_prompt_block_within_the_budget(self):
        block = self.memory.context("Where do I live?", self.user, token_budget=500, agent_id="my-assistant")
        self.assertIn("Bristol", block["text"])
        self.assertEqual(block["memoriesUsed"], 1)
        self.assertLessEqual(block["tokensUsed"], 500)
        self.assertEqual(block["tokenBudget"], 500)
        self.assertEqual(block["lines"][0]["memoryId"], self.created_id())
        as_messages = self.memory.context([{"role": "user", "content": "Where do I live?"}], self.user)
        self.assertIn("Bristol", as_messages["text"])
        nothing = self.memory.context("Where do I live?", self.user, token_budget=0)
        self.assertEqual(nothing["text"], "")

    def test_search_with_filters_and_explain(self):
        found = self.memory.search("Bristol", self.user, limit=5, explain=True)
        self.assertEqual(found["total"], 1)
        first = found["memories"][0]
        self.assertEqual(first["id"], self.created_id())
        self.assertEqual(first["agentId"], "my-assistant")
        self.assertIn("keyword", first["explain"])
        category = first["category"]
        self.assertEqual(self.memory.search("Bristol", self.user, categories=[category])["total"], 1)
        self.assertEqual(self.memory.search("Bristol", self.user, categories=["no-such-category"])["total"], 0)
        self.assertEqual(self.memory.search("Bristol", self.user, metadata={"channel": "onboarding"})["total"], 1)
        self.assertEqual(self.memory.search("Bristol", self.user, metadata={"channel": "other"})["total"], 0)
        self.assertEqual(self.memory.search("Bristol", self.user, agent_id="another-agent")["total"], 0)

    def test_memories_detail_and_history(self):
        page = self.memory.memories(self.user, page=1, page_size=10)
        self.assertEqual(page["total"], 1)
        self.assertEqual((page["page"], page["pageSize"]), (1, 10))
        detail = self.memory.get_memory_detail(self.created_id())
        self.assertEqual(detail["userId"], self.user)
        self.assertEqual(detail["source"], "ingest")
        self.assertIn("Bristol", detail["entities"])
        history = self.memory.memory_history(self.created_id())
        self.assertEqual(history["current"], self.created_id())

    def test_status(self):
        status = self.memory.status()
        self.assertGreaterEqual(status["memoriesStored"], 1)
        self.assertIsInstance(status["plan"], str)
        self.assertIn(status["searchLimitPeriod"], ("day", "month", None))

    def test_delete_memory_of_the_m3mory_surface(self):
        user = support.new_user("m3delete")
        outcome = self.memory.ingest("I work as a nurse in Leeds", user)
        memory_id = outcome["memories"][0]["id"]
        self.assertEqual(self.memory.delete_memory(memory_id), {"deleted": True})
        with self.assertRaises(NotFoundError):
            self.memory.get_memory_detail(memory_id)


if __name__ == "__main__":
    unittest.main()
