"""The package stays standard-library-only Python 3.9: no newer syntax, no `X | Y` annotations (they fail at run time
before 3.10), no typing names added after 3.9, no import outside the standard library."""

import ast
import os
import sys
import unittest

SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "memory_layer")
TYPING_AFTER_3_9 = {"TypeAlias", "ParamSpec", "Concatenate", "TypeGuard", "NotRequired", "Required", "Self",
                    "LiteralString", "Never", "assert_never", "reveal_type", "dataclass_transform", "Unpack",
                    "TypeVarTuple", "override", "is_typeddict", "get_overloads", "assert_type", "ReadOnly", "TypeIs"}
# Standard library modules a 3.9 client may import (sys.stdlib_module_names lists them from 3.10).
STDLIB = set(getattr(sys, "stdlib_module_names", ())) or {
    "dataclasses", "datetime", "email", "http", "json", "os", "random", "time", "typing", "urllib"}


def sources():
    for name in sorted(os.listdir(SOURCE)):
        if name.endswith(".py"):
            path = os.path.join(SOURCE, name)
            with open(path, encoding="utf-8") as handle:
                yield path, handle.read()


def annotations(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            yield node.annotation
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation


class SyntaxTest(unittest.TestCase):
    def test_sources_exist(self):
        self.assertGreaterEqual(len(list(sources())), 6)
        self.assertTrue(os.path.exists(os.path.join(SOURCE, "py.typed")))

    def test_parses_as_python_3_9(self):
        for path, text in sources():
            with self.subTest(path=path):
                ast.parse(text, filename=path, feature_version=(3, 9))

    def test_no_union_operator_in_annotations(self):
        for path, text in sources():
            tree = ast.parse(text)
            for annotation in annotations(tree):
                for node in ast.walk(annotation):
                    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                        self.fail("{}:{}: `X | Y` needs Python 3.10; use Optional/Union".format(path, node.lineno))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "|" in node.value:
                        self.fail("{}:{}: `X | Y` in a string annotation".format(path, node.lineno))

    def test_no_match_statement_and_no_post_3_9_typing(self):
        for path, text in sources():
            for node in ast.walk(ast.parse(text)):
                self.assertFalse(type(node).__name__ in ("Match", "TryStar", "TypeAlias"), "{}: {}".format(path, type(node).__name__))
                if isinstance(node, ast.ImportFrom) and node.module == "typing":
                    newer = {alias.name for alias in node.names} & TYPING_AFTER_3_9
                    self.assertEqual(newer, set(), "{}: typing names newer than 3.9".format(path))

    def test_imports_only_the_standard_library(self):
        for path, text in sources():
            for node in ast.walk(ast.parse(text)):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                for name in names:
                    self.assertIn(name.split(".")[0], STDLIB, "{} imports {}".format(path, name))


if __name__ == "__main__":
    unittest.main()
