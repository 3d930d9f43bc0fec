"""MemoryLayer: the verbs of both API surfaces (Memory Layer's /v1/memory/*, /v1/chat and m3mory's /v1/ingest,
/v1/context, /v1/search, /v1/memories, /v1/status) plus data ownership (/v1/users, /v1/export, /v1/import)."""

import json as jsonlib
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Union, overload

from ._http import Transport, iter_json_lines, iter_sse, path_segment
from .errors import StreamError
from .types import (
    AccountStatus,
    ChatResponse,
    ContextResponse,
    DeletedResponse,
    DeleteMemoryResponse,
    EraseEndUserResponse,
    ExportLine,
    ImportResponse,
    IngestResponse,
    LegacyChatResponse,
    ListMemoriesResponse,
    MaintenanceRunResponse,
    MaintenanceRunsResponse,
    Memory,
    MemoriesPage,
    MemoryDetail,
    MemoryHistory,
    MemoryStats,
    Message,
    PruneResponse,
    RestoreMemoryResponse,
    SearchMemoriesResponse,
    SearchResponse,
    StoreMemoryResponse,
)

DEFAULT_BASE_URL = "http://localhost:3000"

Messages = Union[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class ChatEvent:
    """One server-sent event of a streamed chat: ``memories`` ({used_memories}), ``delta`` ({text}) per piece of the
    reply, then ``done`` (the fields of the non-streamed answer). An ``error`` event is raised as StreamError."""

    event: str
    data: Dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The piece of the reply a ``delta`` carries ("" for other events)."""
        value = self.data.get("text") if self.event == "delta" else None
        return value if isinstance(value, str) else ""


def _as_messages(messages: Messages) -> List[Dict[str, Any]]:
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    return [dict(message) for message in messages]


def _without_none(values: Mapping[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class MemoryLayer:
    """A client for one account (its API key). Every call names the end user (``user_id``: your user's id, their
    email is recommended), so one client serves all your users.

    ``api_key`` and ``base_url`` default to $MEMORY_LAYER_API_KEY and $MEMORY_LAYER_BASE_URL (else
    http://localhost:3000). Requests that failed with 429, or with 5xx / a lost connection when repeating them cannot
    do something twice, are retried up to ``max_retries`` times with exponential backoff and jitter, waiting what a
    Retry-After header asks (up to ``max_retry_wait`` seconds; longer waits are raised at once). ``timeout`` is in
    seconds, per connection attempt and per read.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        max_retries: int = 2,
        timeout: float = 30.0,
        max_retry_wait: float = 60.0,
    ) -> None:
        key = api_key or os.environ.get("MEMORY_LAYER_API_KEY")
        if not key:
            raise ValueError("An API key is required: MemoryLayer(api_key=...) or MEMORY_LAYER_API_KEY")
        url = base_url or os.environ.get("MEMORY_LAYER_BASE_URL") or DEFAULT_BASE_URL
        self._transport = Transport(key, url, max_retries, timeout, max_retry_wait)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    # Any operation

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        idempotent: Optional[bool] = None,
    ) -> Any:
        """Calls any operation of the API (see /v1/openapi.json) and returns its JSON answer.

        ``path`` is the public path, e.g. ``/v1/memory/stats``; ``params`` become the query string (None values are
        left out). Retries follow the method (GET and DELETE are retried on 5xx); pass ``idempotent=True`` for a POST
        that only reads.
        """
        return self._transport.request(method, path, json=json, params=params, idempotent=idempotent)

    # Memory Layer reference: memories one by one

    def remember(
        self,
        content: str,
        user_id: str,
        metadata: Optional[Mapping[str, Any]] = None,
        conversation_id: Optional[str] = None,
        timestamp: Optional[str] = None,
    ) -> StoreMemoryResponse:
        """POST /v1/memory/: stores one memory for the end user (201 {status, memory})."""
        body = _without_none(
            {"content": content, "external_user_id": user_id, "metadata": dict(metadata) if metadata is not None else None,
             "conversation_id": conversation_id, "timestamp": timestamp}
        )
        return self._transport.request("POST", "/v1/memory/", json=body)

    def recall(
        self,
        query: str,
        user_id: str,
        limit: int = 10,
        threshold: Optional[float] = None,
        mode: str = "hybrid",
        explain: bool = False,
    ) -> SearchMemoriesResponse:
        """POST /v1/memory/search: the end user's memories most relevant to ``query``.

        ``mode="hybrid"`` (default) ranks by vector and keyword search fused with entities, time and conversation;
        ``"semantic"`` by the reference's 0.7·similarity + 0.3·importance. ``threshold`` is the minimum cosine
        similarity (the API's default is 0.35; 0.3 suits chat context).
        """
        body: Dict[str, Any] = {"query": query, "external_user_id": user_id, "limit": limit, "mode": mode}
        if threshold is not None:
            body["similarity_threshold"] = threshold
        if explain:
            body["explain"] = True
        return self._transport.request("POST", "/v1/memory/search", json=body, idempotent=True)

    def list_memories(self, user_id: Optional[str] = None, limit: int = 50, offset: int = 0, archived: bool = False) -> ListMemoriesResponse:
        """GET /v1/memory/: memories newest first (the end user's, or the account's); ``archived=True`` lists pruned ones."""
        params = {"external_user_id": user_id, "limit": limit, "offset": offset, "archived": archived or None}
        return self._transport.request("GET", "/v1/memory/", params=params)

    def get_memory(self, memory_id: str, user_id: Optional[str] = None) -> Memory:
        """GET /v1/memory/{memory_id} (404 NotFoundError when it is not this account's, or not this end user's)."""
        return self._transport.request("GET", "/v1/memory/" + path_segment(memory_id), params={"external_user_id": user_id})

    def stats(self, user_id: Optional[str] = None) -> MemoryStats:
        """GET /v1/memory/stats: totals, usage and plan limits."""
        return self._transport.request("GET", "/v1/memory/stats", params={"external_user_id": user_id})

    def restore(self, memory_id: str) -> RestoreMemoryResponse:
        """POST /v1/memory/{memory_id}/restore: brings back an archived (pruned) memory."""
        return self._transport.request("POST", "/v1/memory/{}/restore".format(path_segment(memory_id)), idempotent=True)

    def summarize(self, user_id: Optional[str] = None) -> MaintenanceRunResponse:
        """POST /v1/memory/summarize: clusters related memories and keeps a summary of each cluster."""
        return self._transport.request("POST", "/v1/memory/summarize", params={"external_user_id": user_id})

    def prune(
        self,
        dry_run: bool = False,
        max_age_days: Optional[int] = None,
        min_importance: Optional[float] = None,
        max_memories: Optional[int] = None,
        archive_only: Optional[bool] = None,
        user_id: Optional[str] = None,
    ) -> PruneResponse:
        """POST /v1/memory/prune: archives (or deletes) old, unimportant or surplus memories; ``dry_run`` previews."""
        params = {"dry_run": dry_run, "max_age_days": max_age_days, "min_importance": min_importance,
                  "max_memories": max_memories, "archive_only": archive_only, "external_user_id": user_id}
        return self._transport.request("POST", "/v1/memory/prune", params=params, idempotent=dry_run)

    def run_maintenance(self, job_type: str = "all", user_id: Optional[str] = None) -> MaintenanceRunResponse:
        """POST /v1/memory/maintenance/{job_type}: pruning, summarization, link-optimization, importance-recalculation or all."""
        path = "/v1/memory/maintenance/" + path_segment(job_type)
        return self._transport.request("POST", path, params={"external_user_id": user_id})

    def maintenance_runs(self, limit: int = 50, offset: int = 0) -> MaintenanceRunsResponse:
        """GET /v1/memory/maintenance/runs: maintenance runs, newest first."""
        return self._transport.request("GET", "/v1/memory/maintenance/runs", params={"limit": limit, "offset": offset})

    # Chat

    @overload
    def chat(self, message: str, user_id: str, top_k: int = ..., conversation_id: Optional[str] = ..., stream: Literal[False] = ...) -> ChatResponse: ...

    @overload
    def chat(self, message: str, user_id: str, top_k: int = ..., conversation_id: Optional[str] = ..., *, stream: Literal[True]) -> Iterator[ChatEvent]: ...

    def chat(
        self,
        message: str,
        user_id: str,
        top_k: int = 5,
        conversation_id: Optional[str] = None,
        stream: bool = False,
    ) -> Union[ChatResponse, Iterator[ChatEvent]]:
        """POST /v1/chat/: the reply of the LLM with the end user's memories in its prompt; the message is remembered.

        With ``stream=True`` returns an iterator of ChatEvent (see chat_stream).
        """
        if stream:
            return self.chat_stream(message, user_id, top_k=top_k, conversation_id=conversation_id)
        body = _without_none({"message": message, "external_user_id": user_id, "top_k": top_k, "conversation_id": conversation_id})
        return self._transport.request("POST", "/v1/chat/", json=body)

    def chat_stream(self, message: str, user_id: str, top_k: int = 5, conversation_id: Optional[str] = None) -> Iterator[ChatEvent]:
        """POST /v1/chat/ with ``stream: true``: an iterator of ChatEvent as the server sends them (``memories``,
        ``delta``…, ``done``). The request is sent now, so a 401/422/429 is raised here, not on the first ``next()``;
        an ``error`` event is raised as StreamError. Join the deltas' ``.text`` for the reply as it is written."""
        body = _without_none({"message": message, "external_user_id": user_id, "top_k": top_k,
                              "conversation_id": conversation_id, "stream": True})
        response = self._transport.open("POST", "/v1/chat/", json=body, accept="text/event-stream")
        return _chat_events(iter_sse(response))

    def chat_legacy(self, message: str, user_id: Optional[str] = None, top_k: int = 5, conversation_id: Optional[str] = None) -> LegacyChatResponse:
        """POST /v1/chat/legacy: the reference's backward-compatible answer ({reply, memory_ids, mode, memories_used})."""
        body = _without_none({"message": message, "external_user_id": user_id, "top_k": top_k, "conversation_id": conversation_id})
        return self._transport.request("POST", "/v1/chat/legacy", json=body)

    # m3mory reference: conversations

    def ingest(
        self,
        messages: Messages,
        user_id: str,
        agent_id: Optional[str] = None,
        conversation_id: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        timestamp: Optional[str] = None,
    ) -> IngestResponse:
        """POST /v1/ingest: extracts and stores memories from a conversation ([{role, content}], or one user message)."""
        body = _without_none(
            {"userId": user_id, "messages": _as_messages(messages), "agentId": agent_id, "conversationId": conversation_id,
             "metadata": dict(metadata) if metadata is not None else None, "timestamp": timestamp}
        )
        return self._transport.request("POST", "/v1/ingest", json=body)

    def context(self, messages: Messages, user_id: str, token_budget: int = 2000, agent_id: Optional[str] = None) -> ContextResponse:
        """POST /v1/context: a markdown block of what you know about the end user, for a system prompt, within
        ``token_budget`` tokens; ``lines`` says which memory each line came from and ``omitted`` what did not fit."""
        body = _without_none({"userId": user_id, "messages": _as_messages(messages), "tokenBudget": token_budget, "agentId": agent_id})
        return self._transport.request("POST", "/v1/context", json=body, idempotent=True)

    def search(
        self,
        query: str,
        user_id: str,
        limit: int = 10,
        categories: Optional[Sequence[str]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        explain: bool = False,
        agent_id: Optional[str] = None,
    ) -> SearchResponse:
        """POST /v1/search: hybrid search with category and metadata filters; ``explain`` adds each signal's part."""
        body = _without_none(
            {"userId": user_id, "query": query, "limit": limit, "categories": list(categories) if categories is not None else None,
             "metadata": dict(metadata) if metadata is not None else None, "explain": explain or None, "agentId": agent_id}
        )
        return self._transport.request("POST", "/v1/search", json=body, idempotent=True)

    def memories(
        self,
        user_id: Optional[str] = None,
        page: int = 1,
        page_size: int = 50,
        agent_id: Optional[str] = None,
        category: Optional[str] = None,
        include_superseded: bool = False,
    ) -> MemoriesPage:
        """GET /v1/memories: memories with provenance (entities, source, validity), by page."""
        params = {"userId": user_id, "page": page, "pageSize": page_size, "agentId": agent_id, "category": category,
                  "includeSuperseded": include_superseded or None}
        return self._transport.request("GET", "/v1/memories", params=params)

    def get_memory_detail(self, memory_id: str) -> MemoryDetail:
        """GET /v1/memories/{id}: one memory with its entities, source and validity."""
        return self._transport.request("GET", "/v1/memories/" + path_segment(memory_id))

    def memory_history(self, memory_id: str) -> MemoryHistory:
        """GET /v1/memories/{id}/history: the chain of memories that superseded one another."""
        return self._transport.request("GET", "/v1/memories/{}/history".format(path_segment(memory_id)))

    def delete_memory(self, memory_id: str) -> DeletedResponse:
        """DELETE /v1/memories/{id}: deletes one memory with its entity links and edges ({deleted: true})."""
        return self._transport.request("DELETE", "/v1/memories/" + path_segment(memory_id))

    def status(self) -> AccountStatus:
        """GET /v1/status: plan, usage and limits."""
        return self._transport.request("GET", "/v1/status")

    # Data ownership

    @overload
    def forget(self, memory_id: str, user_id: Optional[str] = None) -> DeleteMemoryResponse: ...

    @overload
    def forget(self, memory_id: None = None, *, user_id: str) -> EraseEndUserResponse: ...

    def forget(self, memory_id: Optional[str] = None, user_id: Optional[str] = None) -> Union[DeleteMemoryResponse, EraseEndUserResponse]:
        """Deletes permanently: ``forget(memory_id)`` one memory (DELETE /v1/memory/{id}; with ``user_id`` only if it
        is that end user's), ``forget(user_id=...)`` everything of one end user (DELETE /v1/users/{id}, with counts)."""
        if memory_id is not None:
            path = "/v1/memory/" + path_segment(memory_id)
            return self._transport.request("DELETE", path, params={"external_user_id": user_id})
        if user_id is not None:
            return self.forget_user(user_id)
        raise ValueError("forget() needs a memory_id, or user_id= to erase an end user")

    def forget_user(self, user_id: str) -> EraseEndUserResponse:
        """DELETE /v1/users/{external_user_id}: memories, entities, edges and chat messages of one end user."""
        return self._transport.request("DELETE", "/v1/users/" + path_segment(user_id))

    def export(self, user_id: Optional[str] = None) -> Iterator[ExportLine]:
        """GET /v1/export: every memory (of the account, or one end user) as it streams in, one dict per JSON line,
        with ids, metadata, timestamps and vectors, ready for import_memories()."""
        response = self._transport.open("GET", "/v1/export", params={"external_user_id": user_id}, accept="application/x-ndjson")
        return iter_json_lines(response)

    def import_memories(self, lines: Union[str, bytes, Iterable[Mapping[str, Any]]]) -> ImportResponse:
        """POST /v1/import: JSON Lines as export() gives them (dicts, or the text); existing ids are skipped, so an
        import can be repeated."""
        if isinstance(lines, str):
            data = lines.encode("utf-8")
        elif isinstance(lines, bytes):
            data = lines
        else:
            data = "".join(jsonlib.dumps(dict(line)) + "\n" for line in lines).encode("utf-8")
        return self._transport.request("POST", "/v1/import", data=data, content_type="application/x-ndjson", idempotent=True)


def _chat_events(events: Iterator[Any]) -> Iterator[ChatEvent]:
    for name, raw in events:
        try:
            data = jsonlib.loads(raw)
        except ValueError:
            data = {"raw": raw}
        if not isinstance(data, dict):
            data = {"value": data}
        if name == "error":
            raise StreamError(str(data.get("detail") or "The stream failed"))
        yield ChatEvent(name, data)
