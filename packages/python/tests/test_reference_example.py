"""The Memory Layer reference's own Python example (tests/reference/memory_layer_reference_example.py, verbatim, using
`requests`) run unchanged against our server: only its API_KEY and BASE_URL lines are set, as its reader would."""

import contextlib
import io
import os
import unittest

import support

EXAMPLE = os.path.join(support.HERE, "reference", "memory_layer_reference_example.py")
PLACEHOLDERS = {
    'API_KEY = "YOUR_API_KEY"': "API_KEY = {!r}",
    'BASE_URL = "https://memory-layer-api.onrender.com"': "BASE_URL = {!r}",
}


class ReferenceExampleTest(unittest.TestCase):
    def test_the_example_runs_unchanged_and_its_client_recalls_what_it_stored(self):
        source = open(EXAMPLE, encoding="utf-8").read()
        values = [support.api_key(), support.base_url()]
        for (line, template), value in zip(PLACEHOLDERS.items(), values):
            self.assertEqual(source.count(line), 1, line)
            source = source.replace(line, template.format(value))
        namespace = {"__name__": "memory_layer_reference_example"}
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, EXAMPLE, "exec"), namespace)
        import requests

        shim = getattr(requests, "__memory_layer_test_shim__", False)
        print("requests used by the example: {} ({})".format(requests.__file__, "test shim" if shim else "the real library"))
        reply = printed.getvalue()
        self.assertIn("React dashboard for a SaaS startup", reply)

        client = namespace["client"]
        results = client.recall("What am I building?")
        self.assertIsInstance(results, list)
        self.assertEqual(results[0]["memory"]["content"], "I am building a React dashboard for a SaaS startup")
        self.assertIsInstance(client.remember("I use Tailwind for styling"), dict)


if __name__ == "__main__":
    unittest.main()
