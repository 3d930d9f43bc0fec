"""MemoryLayerClient: the Memory Layer reference's own Python example client, bound to one end user.

Code written against the reference's example keeps working when it imports the class from here instead of defining
it: the same constructor ``MemoryLayerClient(api_key, user_id)`` and the same verbs and return values
(``remember`` → the store answer, ``recall`` → the list of results at similarity threshold 0.3, ``chat`` → the reply
text). The server is $MEMORY_LAYER_BASE_URL (or ``base_url=``). Unlike the example, a failed call raises a
MemoryLayerError instead of returning the error's JSON, and 429s are retried.
"""

from typing import Any, Dict, List, Mapping, Optional

from .client import MemoryLayer
from .types import SearchResult, StoreMemoryResponse


class MemoryLayerClient:
    def __init__(self, api_key: str, user_id: str, base_url: Optional[str] = None, max_retries: int = 2, timeout: float = 30.0) -> None:
        self.headers: Dict[str, str] = {"Authorization": "Bearer {}".format(api_key), "Content-Type": "application/json"}
        self.user_id = user_id
        self.client = MemoryLayer(api_key, base_url=base_url, max_retries=max_retries, timeout=timeout)

    def remember(self, content: str, metadata: Optional[Mapping[str, Any]] = None) -> StoreMemoryResponse:
        """Store a memory for this user."""
        return self.client.remember(content, self.user_id, metadata=metadata)

    def recall(self, query: str, limit: int = 5, threshold: float = 0.3) -> List[SearchResult]:
        """Search memories by semantic similarity."""
        return self.client.recall(query, self.user_id, limit=limit, threshold=threshold)["results"]

    def chat(self, message: str, top_k: int = 5) -> str:
        """Send a message with memory-augmented context."""
        return self.client.chat(message, self.user_id, top_k=top_k)["reply"]
