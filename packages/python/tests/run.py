"""Runs one test module with unittest and writes its result as JSON, for the vitest suite that spawns python3.

    python3 tests/run.py test_errors result.json

The verbose unittest report goes to stderr; the JSON names every failure and error with its traceback, so a Python
failure fails the vitest test with the Python output.
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    module, result_path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.loadTestsFromName(module)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
    summary = {
        "module": module,
        "python": sys.version.split()[0],
        "testsRun": result.testsRun,
        "failures": [{"test": test.id(), "traceback": text} for test, text in result.failures],
        "errors": [{"test": test.id(), "traceback": text} for test, text in result.errors],
        "skipped": [{"test": test.id(), "reason": reason} for test, reason in result.skipped],
        "unexpectedSuccesses": [test.id() for test in result.unexpectedSuccesses],
        "ok": result.wasSuccessful(),
    }
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(summary, handle)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
