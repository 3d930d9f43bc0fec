"""Erasing an end user, exporting as JSON Lines (iterated as it streams) and importing into another account."""

import unittest

import support
from memory_layer import MemoryLayer, NotFoundError


class DataOwnershipTest(unittest.TestCase):
    def setUp(self):
        self.memory = support.client()

    def test_export_iterates_one_end_users_memories(self):
        user = support.new_user("export")
        other = support.new_user("export-other")
        contents = ["Export line {}: I like tea number {}".format(i, i) for i in range(5)]
        for content in contents:
            self.memory.remember(content, user, metadata={"n": 1})
        self.memory.remember("Not mine to export", other)
        lines = self.memory.export(user_id=user)
        self.assertFalse(isinstance(lines, list), "export() is an iterator, not a list read at once")
        exported = list(lines)
        self.assertEqual(sorted(line["content"] for line in exported), sorted(contents))
        self.assertEqual({line["external_user_id"] for line in exported}, {user})
        self.assertEqual(exported[0]["metadata"], {"n": 1})
        self.assertIsInstance(exported[0]["embedding"], list)

    def test_export_erase_then_import_into_another_account(self):
        user = support.new_user("moving")
        self.memory.remember("I keep bees on my balcony", user)
        exported = list(self.memory.export(user_id=user))
        self.assertEqual(len(exported), 1)
        # Ids are kept across an import, so the memory moves: erased here first, then imported there.
        self.memory.forget_user(user)
        other_account = MemoryLayer(support.other_api_key(), base_url=support.base_url())
        imported = other_account.import_memories(exported)
        self.assertEqual((imported["lines"], imported["imported"], imported["skipped"]), (1, 1, 0))
        self.assertEqual(other_account.get_memory(exported[0]["id"])["content"], "I keep bees on my balcony")
        again = other_account.import_memories(exported)
        self.assertEqual((again["imported"], again["skipped"]), (0, 1))
        other_account.forget_user(user)

    def test_forget_an_end_user_erases_everything_of_theirs_only(self):
        user = support.new_user("erase")
        keeper = support.new_user("keep")
        mine = self.memory.remember("I am allergic to peanuts", user)
        self.memory.ingest("I moved to Madrid last month", user)
        kept = self.memory.remember("I am not to be erased", keeper)
        erased = self.memory.forget(user_id=user)
        self.assertEqual(erased["status"], "success")
        self.assertEqual(erased["external_user_id"], user)
        self.assertGreaterEqual(erased["deleted"]["memories"], 2)
        self.assertEqual(list(self.memory.export(user_id=user)), [])
        with self.assertRaises(NotFoundError):
            self.memory.get_memory(mine["memory"]["id"])
        self.assertEqual(self.memory.get_memory(kept["memory"]["id"])["content"], "I am not to be erased")

    def test_forget_needs_a_memory_or_an_end_user(self):
        with self.assertRaises(ValueError):
            self.memory.forget()


if __name__ == "__main__":
    unittest.main()
