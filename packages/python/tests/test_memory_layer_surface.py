"""The Memory Layer reference's paths through MemoryLayer: /v1/memory/*, /v1/chat, maintenance."""

import unittest
import uuid

import support
from memory_layer import ChatEvent, NotFoundError


class MemoryLayerSurfaceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.memory = support.client()
        cls.user = support.new_user("surface")
        cls.react = cls.memory.remember("I am building a React dashboard for a SaaS startup", cls.user, metadata={"source": "onboarding"})
        cls.editor = cls.memory.remember("User prefers dark mode and uses VS Code", cls.user)
        cls.memory.remember("My sister lives in Lisbon and works as an architect", cls.user)

    def test_remember_answers_the_stored_memory(self):
        self.assertEqual(self.react["status"], "success")
        memory = self.react["memory"]
        self.assertEqual(memory["content"], "I am building a React dashboard for a SaaS startup")
        self.assertEqual(memory["external_user_id"], self.user)
        self.assertEqual(memory["metadata"], {"source": "onboarding"})
        uuid.UUID(memory["id"])
        self.assertIsInstance(memory["importance_score"], float)

    def test_recall_ranks_the_relevant_memory_first_with_hybrid_ranking_by_default(self):
        found = self.memory.recall("What editor does the user prefer?", self.user, limit=5, threshold=0.3)
        self.assertEqual(found["mode"], "hybrid")
        self.assertEqual(found["similarity_threshold"], 0.3)
        self.assertGreaterEqual(found["total_count"], 1)
        self.assertEqual(found["results"][0]["memory"]["id"], self.editor["memory"]["id"])
        first = found["results"][0]
        for key in ("similarity", "combined_score", "score"):
            self.assertIsInstance(first[key], float)
        self.assertNotIn("explain", first)

    def test_recall_semantic_mode_limit_threshold_and_explain(self):
        semantic = self.memory.recall("a React dashboard for a SaaS startup", self.user, limit=1, threshold=0.2, mode="semantic")
        self.assertEqual(semantic["mode"], "semantic")
        self.assertEqual(len(semantic["results"]), 1)
        self.assertEqual(semantic["results"][0]["memory"]["id"], self.react["memory"]["id"])
        self.assertAlmostEqual(semantic["results"][0]["score"], semantic["results"][0]["combined_score"], places=6)
        ranked = self.memory.recall("What am I building?", self.user, threshold=0.0, mode="semantic")["results"]
        self.assertEqual(len(ranked), 3)
        scores = [result["combined_score"] for result in ranked]
        self.assertEqual(scores, sorted(scores, reverse=True))
        strict = self.memory.recall("What am I building?", self.user, threshold=0.99)
        self.assertEqual(strict["results"], [])
        explained = self.memory.recall("What am I building?", self.user, threshold=0.2, explain=True)
        self.assertIn("cosineSimilarity", explained["results"][0]["explain"])

    def test_recall_never_returns_another_end_users_memories(self):
        stranger = support.new_user("stranger")
        self.assertEqual(self.memory.recall("What am I building?", stranger, threshold=0.0)["results"], [])

    def test_list_get_stats(self):
        listed = self.memory.list_memories(self.user, limit=2)
        self.assertEqual(listed["total_count"], 3)
        self.assertEqual(len(listed["memories"]), 2)
        self.assertTrue(listed["has_more"])
        one = self.memory.get_memory(self.react["memory"]["id"])
        self.assertEqual(one["content"], self.react["memory"]["content"])
        stats = self.memory.stats(self.user)
        self.assertEqual(stats["total_memories"], 3)
        self.assertEqual(stats["external_user_id"], self.user)
        self.assertIn("plan", stats)

    def test_get_memory_scoped_to_another_end_user_is_not_found(self):
        with self.assertRaises(NotFoundError):
            self.memory.get_memory(self.react["memory"]["id"], user_id=support.new_user("other"))

    def test_forget_one_memory(self):
        user = support.new_user("forget")
        stored = self.memory.remember("A memory to forget", user)
        memory_id = stored["memory"]["id"]
        self.assertEqual(self.memory.forget(memory_id), {"status": "success", "id": memory_id, "deleted": True})
        with self.assertRaises(NotFoundError):
            self.memory.get_memory(memory_id)
        with self.assertRaises(NotFoundError):
            self.memory.forget(memory_id)

    def test_prune_archives_and_restore_brings_back(self):
        user = support.new_user("prune")
        stored = self.memory.remember("A note of little weight", user)
        preview = self.memory.prune(dry_run=True, min_importance=1.0, user_id=user)
        self.assertTrue(preview["dry_run"])
        self.assertEqual([m["id"] for m in preview["memories"]], [stored["memory"]["id"]])
        self.assertEqual(self.memory.list_memories(user)["total_count"], 1)
        pruned = self.memory.prune(min_importance=1.0, user_id=user)
        self.assertEqual(pruned["pruned_count"], 1)
        self.assertEqual(self.memory.list_memories(user)["total_count"], 0)
        archived = self.memory.list_memories(user, archived=True)
        self.assertEqual([m["id"] for m in archived["memories"]], [stored["memory"]["id"]])
        restored = self.memory.restore(stored["memory"]["id"])
        self.assertEqual(restored["memory"]["id"], stored["memory"]["id"])
        self.assertEqual(self.memory.list_memories(user)["total_count"], 1)

    def test_maintenance_run_and_runs(self):
        user = support.new_user("maintenance")
        self.memory.remember("I play the cello in an orchestra", user)
        self.memory.remember("I practise the cello every evening", user)
        run = self.memory.run_maintenance("importance-recalculation", user_id=user)
        self.assertEqual(run["status"], "success")
        self.assertEqual(run["run"]["job_type"], "importance-recalculation")
        summary = self.memory.summarize(user_id=user)
        self.assertEqual(summary["run"]["job_type"], "summarization")
        runs = self.memory.maintenance_runs(limit=10)
        self.assertTrue({run["run"]["id"], summary["run"]["id"]} <= {r["id"] for r in runs["runs"]})

    def test_chat_answers_with_the_users_memories(self):
        answer = self.memory.chat("What am I building?", self.user, top_k=3)
        self.assertIn("React dashboard", answer["reply"])
        self.assertIn(self.react["memory"]["id"], [m["id"] for m in answer["used_memories"]])
        self.assertIn(answer["mode"], ("llm", "offline"))
        self.assertIn("prompt_tokens", answer["usage"])

    def test_chat_stream_yields_memories_deltas_then_done(self):
        events = list(self.memory.chat("What am I building?", self.user, stream=True))
        self.assertTrue(all(isinstance(event, ChatEvent) for event in events))
        names = [event.event for event in events]
        self.assertEqual(names[0], "memories")
        self.assertEqual(names[-1], "done")
        self.assertGreater(names.count("delta"), 1)
        self.assertEqual(set(names), {"memories", "delta", "done"})
        streamed = "".join(event.text for event in events)
        self.assertEqual(streamed, events[-1].data["reply"])
        self.assertIn("React dashboard", streamed)
        self.assertIn(self.react["memory"]["id"], [m["id"] for m in events[0].data["used_memories"]])

    def test_chat_legacy_shape(self):
        legacy = self.memory.chat_legacy("What am I building?", self.user)
        self.assertEqual(set(legacy), {"reply", "memory_ids", "mode", "memories_used"})
        self.assertIn(self.react["memory"]["id"], legacy["memory_ids"])

    def test_generic_request_reaches_any_operation(self):
        by_query = self.memory.request("GET", "/v1/memory/search", params={"query": "What am I building?", "external_user_id": self.user, "similarity_threshold": 0.2})
        self.assertEqual(by_query["results"][0]["memory"]["id"], self.react["memory"]["id"])
        self.assertEqual(self.memory.request("GET", "/v1/memory/stats", params={"external_user_id": self.user})["total_memories"], 3)


if __name__ == "__main__":
    unittest.main()
