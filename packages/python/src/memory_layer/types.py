"""The API's request and response shapes as TypedDicts: plain dicts at run time, typed for editors and checkers.

Field names are the wire's: snake_case on the Memory Layer paths (/v1/memory/*, /v1/chat), camelCase on the m3mory
paths (/v1/ingest, /v1/context, /v1/search, /v1/memories, /v1/status).
"""

from typing import Any, Dict, List, Literal, Optional, TypedDict

JsonObject = Dict[str, Any]


class Message(TypedDict):
    role: Literal["user", "assistant", "system", "tool"]
    content: str


# Memory Layer reference: /v1/memory/*


class Memory(TypedDict):
    id: str
    content: str
    external_user_id: str
    metadata: JsonObject
    importance_score: float
    access_count: int
    created_at: str
    updated_at: str
    last_accessed_at: Optional[str]


class StoreMemoryResponse(TypedDict):
    status: Literal["success"]
    memory: Memory


class ScoreExplanation(TypedDict):
    semantic: float
    keyword: float
    entity: float
    temporal: float
    conversation: float
    recency: float
    importance: float
    cosineSimilarity: float


class _SearchResultBase(TypedDict):
    memory: Memory
    similarity: float
    combined_score: float
    score: float


class SearchResult(_SearchResultBase, total=False):
    explain: ScoreExplanation


class SearchMemoriesResponse(TypedDict):
    results: List[SearchResult]
    total_count: int
    query: str
    similarity_threshold: float
    mode: Literal["hybrid", "semantic"]


class ListMemoriesResponse(TypedDict):
    memories: List[Memory]
    total_count: int
    limit: int
    offset: int
    has_more: bool


class DeleteMemoryResponse(TypedDict):
    status: Literal["success"]
    id: str
    deleted: bool


class RestoreMemoryResponse(TypedDict):
    status: Literal["success"]
    memory: Memory


class MemoryStats(TypedDict):
    total_memories: int
    archived_memories: int
    superseded_memories: int
    end_users: int
    avg_importance: float
    total_access_count: int
    memories_last_24h: int
    oldest_memory_at: Optional[str]
    newest_memory_at: Optional[str]
    external_user_id: Optional[str]
    usage: JsonObject
    plan: JsonObject


class MaintenanceRun(TypedDict):
    id: str
    job_type: str
    trigger: str
    status: Literal["running", "succeeded", "failed", "interrupted"]
    params: JsonObject
    progress: JsonObject
    counts: JsonObject
    error: Optional[str]
    started_at: str
    finished_at: Optional[str]
    duration_ms: Optional[int]


class MaintenanceRunResponse(TypedDict):
    status: Literal["success", "error"]
    run: MaintenanceRun


class MaintenanceRunsResponse(TypedDict):
    runs: List[MaintenanceRun]
    total_count: int
    limit: int
    offset: int


class PrunedMemory(TypedDict):
    id: str
    external_user_id: str
    reason: Literal["low_importance", "stale", "over_max_memories"]


class PruneResponse(TypedDict):
    status: Literal["success"]
    dry_run: bool
    archive_only: bool
    pruned_count: int
    by_reason: Dict[str, int]
    criteria: JsonObject
    memories: List[PrunedMemory]
    truncated: bool


# Chat: /v1/chat


class UsedMemory(TypedDict):
    id: str
    memory_text: str
    score: float


class ChatUsage(TypedDict):
    prompt_tokens: int
    completion_tokens: int


class ChatResponse(TypedDict):
    reply: str
    used_memories: List[UsedMemory]
    memory_created: bool
    conversation_id: Optional[str]
    mode: Literal["llm", "offline"]
    model: str
    usage: ChatUsage


class LegacyUsedMemory(TypedDict):
    id: str
    content: str
    similarity: float


class LegacyChatResponse(TypedDict):
    reply: str
    memory_ids: List[str]
    mode: str
    memories_used: List[LegacyUsedMemory]


# m3mory reference: /v1/ingest, /v1/context, /v1/search, /v1/memories, /v1/status


class WriteOutcome(TypedDict):
    id: str
    content: str
    category: str
    status: Literal["created", "duplicate"]
    supersedes: List[str]
    sourceMessageIndex: int


class IngestDecision(TypedDict):
    messageIndex: int
    action: Literal["created", "merged", "skipped"]
    memoryId: Optional[str]
    reason: str
    similarity: Optional[float]
    superseded: List[JsonObject]


class IngestResponse(TypedDict):
    memoriesCreated: int
    entitiesExtracted: int
    edgesCreated: int
    processingMs: int
    memoriesSuperseded: int
    duplicatesMerged: int
    conversationId: str
    extraction: Literal["llm", "offline"]
    memories: List[WriteOutcome]
    decisions: List[IngestDecision]


class ContextLine(TypedDict):
    memoryId: str
    text: str


class OmittedLine(TypedDict):
    memoryId: str
    reason: Literal["token_budget"]


class ContextResponse(TypedDict):
    text: str
    memoriesUsed: int
    tokensUsed: int
    retrievalMs: int
    tokenBudget: int
    lines: List[ContextLine]
    omitted: List[OmittedLine]


class _FoundMemoryBase(TypedDict):
    id: str
    content: str
    category: str
    score: float
    createdAt: str
    agentId: Optional[str]
    metadata: JsonObject


class FoundMemory(_FoundMemoryBase, total=False):
    explain: ScoreExplanation


class SearchResponse(TypedDict):
    memories: List[FoundMemory]
    total: int


class MemoryDetail(TypedDict):
    id: str
    content: str
    category: str
    userId: str
    agentId: Optional[str]
    metadata: JsonObject
    entities: List[str]
    importance: float
    accessCount: int
    source: str
    sourceMessageIds: List[str]
    context: Optional[str]
    createdAt: str
    updatedAt: str
    lastAccessed: Optional[str]
    validFrom: str
    validTo: Optional[str]
    supersededBy: Optional[str]
    supersededReason: Optional[str]
    archivedAt: Optional[str]


class MemoriesPage(TypedDict):
    memories: List[MemoryDetail]
    total: int
    page: int
    pageSize: int


class MemoryHistory(TypedDict):
    id: str
    history: List[MemoryDetail]
    current: Optional[str]


class DeletedResponse(TypedDict):
    deleted: bool


class AccountStatus(TypedDict):
    plan: str
    memoriesStored: int
    memoryLimit: Optional[int]
    storageUsedMb: float
    storageLimitMb: Optional[float]
    requestsToday: int
    rateLimitPerMin: Optional[int]
    tokensUsed: int
    tokenLimit: Optional[int]
    searchesUsed: int
    searchLimit: Optional[int]
    searchLimitPeriod: Optional[Literal["day", "month"]]
    period: str


# Data ownership: /v1/users/{id}, /v1/export, /v1/import


class ErasedCounts(TypedDict):
    memories: int
    entities: int
    edges: int
    chat_messages: int


class EraseEndUserResponse(TypedDict):
    status: Literal["success"]
    external_user_id: str
    deleted: ErasedCounts


class ExportLine(TypedDict):
    id: str
    external_user_id: str
    agent_id: Optional[str]
    conversation_id: Optional[str]
    content: str
    context: Optional[str]
    metadata: JsonObject
    category: Optional[str]
    slot: Optional[str]
    speaker: Optional[str]
    importance: float
    base_importance: float
    access_count: int
    last_accessed_at: Optional[str]
    source: str
    source_message_ids: List[str]
    valid_from: Optional[str]
    valid_to: Optional[str]
    superseded_by: Optional[str]
    archived_at: Optional[str]
    created_at: Optional[str]
    updated_at: Optional[str]
    embedding_model: Optional[str]
    embedding: Optional[List[float]]
    context_embedding: Optional[List[float]]


class ImportResponse(TypedDict):
    status: Literal["success"]
    lines: int
    imported: int
    skipped: int
    reembedded: int
