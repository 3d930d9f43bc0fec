"""Errors raised by the client: one base class, one subclass per status a caller handles differently."""

from typing import Any, Dict, List, Optional, Type


class MemoryLayerError(Exception):
    """An error answer of the API (or no answer at all: ``status`` is None for connection failures).

    ``detail`` is the API's message (``{"detail": ...}``, or ``message`` of a validation error), ``details`` the
    validation error's list (``[{"type", "loc", "msg"}]``), ``request_id`` the ``X-Request-Id`` the server gave the
    request, to quote to support.
    """

    def __init__(
        self,
        status: Optional[int],
        detail: str,
        details: Optional[List[Dict[str, Any]]] = None,
        request_id: Optional[str] = None,
        body: Any = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        self.status = status
        self.detail = detail
        self.details: List[Dict[str, Any]] = list(details or [])
        self.request_id = request_id
        self.body = body
        self.headers: Dict[str, str] = dict(headers or {})
        super().__init__(self._describe())

    # What the message starts with when there is no HTTP status to show.
    _no_status_label = "connection failed"

    def _describe(self) -> str:
        prefix = self._no_status_label if self.status is None else str(self.status)
        text = "{}: {}".format(prefix, self.detail)
        if self.details:
            fields = ["{} ({})".format(".".join(str(part) for part in item.get("loc", [])), item.get("msg", "")) for item in self.details]
            text += " [" + "; ".join(fields) + "]"
        if self.request_id:
            text += " (request id {})".format(self.request_id)
        return text


class BadRequestError(MemoryLayerError):
    """400: the request could not be read (e.g. a body that is not JSON)."""


class AuthenticationError(MemoryLayerError):
    """401: missing, invalid or revoked API key."""


class PermissionDeniedError(MemoryLayerError):
    """403: the key lacks the scope (read/write) or agent the operation needs."""


class NotFoundError(MemoryLayerError):
    """404: no such memory (or end user, or path) for this account."""


class PayloadTooLargeError(MemoryLayerError):
    """413: content or body over the API's size limits."""


class ValidationError(MemoryLayerError):
    """422: a field failed validation; ``details`` says which (``loc``) and why (``msg``)."""


class RateLimitError(MemoryLayerError):
    """429: too many requests per minute, or a plan quota spent. ``retry_after`` is in seconds when the API said."""

    @property
    def retry_after(self) -> Optional[float]:
        from ._http import parse_retry_after

        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(MemoryLayerError):
    """5xx: the API (or a provider behind it: embeddings 502, LLM 504) failed; safe requests were retried."""


class APIConnectionError(MemoryLayerError):
    """The server could not be reached or did not answer in time (after the retries)."""

    def __init__(self, detail: str) -> None:
        super().__init__(None, detail)


class StreamError(MemoryLayerError):
    """A streamed chat ended with an ``error`` event (the model failed after the answer had begun)."""

    _no_status_label = "stream failed"

    def __init__(self, detail: str) -> None:
        super().__init__(None, detail)


_BY_STATUS: Dict[int, Type[MemoryLayerError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitError,
}


def error_for(status: int, body: Any, headers: Dict[str, str]) -> MemoryLayerError:
    """The typed error for an error answer, read from either reference's shape."""
    detail = "HTTP {}".format(status)
    details: List[Dict[str, Any]] = []
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            detail = body["detail"]
        elif isinstance(body.get("message"), str):
            detail = body["message"]
        if isinstance(body.get("details"), list):
            details = [item for item in body["details"] if isinstance(item, dict)]
    elif isinstance(body, str) and body.strip():
        detail = body.strip()[:500]
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else MemoryLayerError)
    request_id = headers.get("x-request-id") or (body.get("request_id") if isinstance(body, dict) else None)
    return cls(status, detail, details, request_id, body, headers)
