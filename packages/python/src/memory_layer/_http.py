"""HTTP over urllib: JSON in and out, typed errors, retries with backoff, server-sent events and JSON Lines."""

import email.utils
import http.client
import json as jsonlib
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

from .errors import APIConnectionError, MemoryLayerError, error_for

__version__ = "0.1.0"

# Methods a retry cannot repeat the effect of. POSTs that only read (searches, context) are marked idempotent by their verb.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = datetime.now(timezone.utc).timestamp() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s… (each between half and all of it), at most 8 s."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * (2 ** attempt))
    return ceiling * (0.5 + random.random() / 2)


def encode_query(params: Optional[Mapping[str, Any]]) -> str:
    if not params:
        return ""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        pairs.append((key, str(value)))
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def path_segment(value: str) -> str:
    """One path parameter, percent-encoded except for characters a path segment may carry as they are (RFC 3986)."""
    return urllib.parse.quote(str(value), safe="@:+!$&'()*,;=")


def _lower_headers(message: Any) -> Dict[str, str]:
    return {name.lower(): value for name, value in message.items()} if message is not None else {}


def _decode_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type and "ndjson" not in content_type:
        try:
            return jsonlib.loads(text)
        except ValueError:
            return text
    return text


def _refused(error: BaseException) -> bool:
    """The connection was refused: the request never reached the server, so even a write may be sent again."""
    reason = getattr(error, "reason", error)
    return isinstance(reason, ConnectionRefusedError)


class Transport:
    """Sends requests to one API base URL with one key. Not tied to a thread: urllib opens a connection per request."""

    def __init__(self, api_key: str, base_url: str, max_retries: int, timeout: float, max_retry_wait: float) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.max_retries = max(0, int(max_retries))
        self.timeout = timeout
        # A Retry-After longer than this (a spent monthly quota says "next month") is raised at once, not slept through.
        self.max_retry_wait = max_retry_wait
        self.sleep: Callable[[float], None] = time.sleep
        self._opener = urllib.request.build_opener()

    def url(self, path: str, params: Optional[Mapping[str, Any]] = None) -> str:
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path + encode_query(params)

    def open(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        data: Optional[bytes] = None,
        content_type: Optional[str] = None,
        accept: str = "application/json",
        idempotent: Optional[bool] = None,
    ) -> http.client.HTTPResponse:
        """The open response of a successful request (the caller reads and closes it); raises a MemoryLayerError."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        headers = {
            "Authorization": "Bearer {}".format(self.api_key),
            "Accept": accept,
            "User-Agent": "memory-layer-python/{}".format(__version__),
        }
        if json is not None:
            data = jsonlib.dumps(json).encode("utf-8")
            content_type = "application/json"
        if data is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
        url = self.url(path, params)
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                return self._opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as response:
                error = self._error_of(response)
                wait = self._retry_wait(error, attempt, idempotent)
                if wait is None:
                    raise error from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as failure:
                if attempt >= self.max_retries or not (idempotent or _refused(failure)):
                    raise APIConnectionError("{} {}: {}".format(method, url, getattr(failure, "reason", failure))) from failure
                wait = backoff_seconds(attempt)
            self.sleep(wait)
            attempt += 1

    def request(self, method: str, path: str, **options: Any) -> Any:
        """Sends a request and returns its JSON body (None when empty)."""
        response = self.open(method, path, **options)
        with response:
            try:
                raw = response.read()
            except (OSError, http.client.HTTPException) as failure:
                raise APIConnectionError("{} {}: reading the answer failed: {}".format(method, path, failure)) from failure
            return _decode_body(raw, response.headers.get("Content-Type", ""))

    def _error_of(self, response: urllib.error.HTTPError) -> MemoryLayerError:
        headers = _lower_headers(response.headers)
        try:
            raw = response.read()
        except (OSError, http.client.HTTPException):
            raw = b""
        finally:
            response.close()
        return error_for(response.code, _decode_body(raw, headers.get("content-type", "")), headers)

    def _retry_wait(self, error: MemoryLayerError, attempt: int, idempotent: bool) -> Optional[float]:
        """How long to wait before sending again, or None to give up. A 429 was refused before any work, so any
        request may be repeated; a 5xx only if repeating it cannot do something twice."""
        status = error.status or 0
        if attempt >= self.max_retries or status not in RETRY_STATUSES:
            return None
        if status != 429 and not idempotent:
            return None
        retry_after = parse_retry_after(error.headers.get("retry-after"))
        if retry_after is None:
            return backoff_seconds(attempt)
        if retry_after > self.max_retry_wait:
            return None
        return retry_after


def iter_lines(response: http.client.HTTPResponse) -> Iterator[str]:
    """The response's lines as text, without line endings, read as they arrive."""
    try:
        while True:
            raw = response.readline()
            if not raw:
                return
            yield raw.decode("utf-8").rstrip("\r\n")
    except (OSError, http.client.HTTPException) as failure:
        raise APIConnectionError("the stream broke off: {}".format(failure)) from failure
    finally:
        response.close()


def iter_sse(response: http.client.HTTPResponse) -> Iterator[Tuple[str, str]]:
    """(event, data) pairs of a text/event-stream, per the WHATWG rules (multi-line data, comments, default event)."""
    event = ""
    data_lines = []
    for line in iter_lines(response):
        if line == "":
            if data_lines:
                yield (event or "message", "\n".join(data_lines))
            event = ""
            data_lines = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data_lines.append(value)
    if data_lines:
        yield (event or "message", "\n".join(data_lines))


def iter_json_lines(response: http.client.HTTPResponse) -> Iterator[Any]:
    for line in iter_lines(response):
        if line.strip():
            yield jsonlib.loads(line)

