"""Retries against a tiny scripted HTTP server: 429 then 200, Retry-After honoured, what is retried and what is not.

The assertions count attempts and read the waits the client asked for; none measures time."""

import email.utils
import json
import socket
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import support  # noqa: F401  (puts src/ on sys.path)
from memory_layer import APIConnectionError, MemoryLayer, RateLimitError, ServerError
from memory_layer._http import backoff_seconds, parse_retry_after


class ScriptedServer:
    """Answers each request with the next scripted (status, headers, body), then 200 {"ok": true}; records attempts."""

    def __init__(self, script):
        self.script = list(script)
        self.attempts = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.attempts.append((self.command, self.path, body, self.headers.get("Authorization")))
                status, headers, payload = outer.script.pop(0) if outer.script else (200, {}, {"ok": True})
                raw = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("X-Request-Id", "req-{}".format(len(outer.attempts)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def rate_limited(retry_after):
    return (429, {"Retry-After": retry_after}, {"detail": "Rate limit exceeded. Upgrade your plan or wait."})


def unavailable():
    return (503, {}, {"detail": "The database is unavailable. Please retry shortly."})


class RetryTest(unittest.TestCase):
    def serve(self, *script):
        server = ScriptedServer(script)
        self.addCleanup(server.close)
        return server

    def client(self, server_url, **options):
        client = MemoryLayer("mlive_test_key", base_url=server_url, **options)
        self.waits = []
        client._transport.sleep = self.waits.append
        return client

    def test_429_then_200_waits_what_retry_after_says_and_succeeds(self):
        server = self.serve(rate_limited("2"))
        client = self.client(server.url)
        answer = client.remember("hello", "u@example.com")
        self.assertEqual(answer, {"ok": True})
        self.assertEqual(len(server.attempts), 2)
        self.assertEqual(self.waits, [2.0])
        first, second = server.attempts
        self.assertEqual(first, second, "the retry sends the same request")
        self.assertEqual(first[0:2], ("POST", "/v1/memory/"))
        self.assertEqual(json.loads(first[2]), {"content": "hello", "external_user_id": "u@example.com"})
        self.assertEqual(first[3], "Bearer mlive_test_key")

    def test_a_real_wait_on_retry_after_then_success(self):
        server = self.serve(rate_limited("1"))
        client = MemoryLayer("mlive_test_key", base_url=server.url)
        self.assertEqual(client.recall("q", "u@example.com"), {"ok": True})
        self.assertEqual(len(server.attempts), 2)

    def test_retry_after_as_an_http_date(self):
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        server = self.serve(rate_limited(when))
        client = self.client(server.url)
        client.stats()
        self.assertEqual(len(server.attempts), 2)
        self.assertEqual(len(self.waits), 1)
        self.assertTrue(25 <= self.waits[0] <= 30, self.waits)

    def test_gives_up_after_max_retries_with_the_typed_error(self):
        server = self.serve(rate_limited("1"), rate_limited("1"), rate_limited("1"), rate_limited("1"))
        client = self.client(server.url, max_retries=2)
        with self.assertRaises(RateLimitError) as caught:
            client.recall("q", "u@example.com")
        self.assertEqual(len(server.attempts), 3)
        self.assertEqual(caught.exception.retry_after, 1.0)
        self.assertEqual(caught.exception.request_id, "req-3")

    def test_a_retry_after_beyond_the_cap_is_raised_at_once(self):
        server = self.serve(rate_limited("3600"))
        client = self.client(server.url)
        with self.assertRaises(RateLimitError) as caught:
            client.recall("q", "u@example.com")
        self.assertEqual(len(server.attempts), 1)
        self.assertEqual(self.waits, [])
        self.assertEqual(caught.exception.retry_after, 3600.0)

    def test_5xx_is_retried_with_growing_backoff_for_safe_requests(self):
        server = self.serve(unavailable(), unavailable())
        client = self.client(server.url)
        self.assertEqual(client.list_memories(), {"ok": True})
        self.assertEqual(len(server.attempts), 3)
        self.assertEqual(len(self.waits), 2)
        self.assertTrue(0.25 <= self.waits[0] <= 0.5 and 0.5 <= self.waits[1] <= 1.0, self.waits)

    def test_5xx_is_retried_for_searches_sent_as_post(self):
        server = self.serve(unavailable())
        client = self.client(server.url)
        client.context("Where do I live?", "u@example.com")
        self.assertEqual(len(server.attempts), 2)

    def test_5xx_on_a_write_is_not_retried(self):
        server = self.serve(unavailable())
        client = self.client(server.url)
        with self.assertRaises(ServerError) as caught:
            client.remember("hello", "u@example.com")
        self.assertEqual(caught.exception.status, 503)
        self.assertEqual(len(server.attempts), 1)

    def test_no_retries_when_max_retries_is_zero(self):
        server = self.serve(rate_limited("1"))
        client = self.client(server.url, max_retries=0)
        with self.assertRaises(RateLimitError):
            client.stats()
        self.assertEqual(len(server.attempts), 1)

    def test_a_refused_connection_is_retried_then_raised(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        client = self.client("http://127.0.0.1:{}".format(port), max_retries=3)
        with self.assertRaises(APIConnectionError) as caught:
            client.remember("hello", "u@example.com")
        self.assertIsNone(caught.exception.status)
        self.assertEqual(len(self.waits), 3)

    def test_backoff_grows_has_jitter_and_a_ceiling(self):
        for attempt, (low, high) in enumerate([(0.25, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (4.0, 8.0)]):
            samples = [backoff_seconds(attempt) for _ in range(200)]
            self.assertTrue(all(low <= s <= high for s in samples), (attempt, min(samples), max(samples)))
            self.assertGreater(len(set(samples)), 1, "jitter")
        self.assertEqual(parse_retry_after("7"), 7.0)
        self.assertEqual(parse_retry_after("soon"), None)
        self.assertEqual(parse_retry_after(None), None)


if __name__ == "__main__":
    unittest.main()
