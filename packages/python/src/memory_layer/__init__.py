"""Memory Layer: persistent memory for AI apps. A client for both API surfaces, standard library only.

    from memory_layer import MemoryLayer

    memory = MemoryLayer(api_key="mlive_...", base_url="http://localhost:3000")
    memory.remember("I am building a React dashboard", user_id="john_doe@gmail.com")
    memory.recall("What am I building?", user_id="john_doe@gmail.com")["results"]
"""

from ._http import __version__
from .client import DEFAULT_BASE_URL, ChatEvent, MemoryLayer
from .errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    MemoryLayerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamError,
    ValidationError,
)
from .reference import MemoryLayerClient

__all__ = [
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "ChatEvent",
    "DEFAULT_BASE_URL",
    "MemoryLayer",
    "MemoryLayerClient",
    "MemoryLayerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamError",
    "ValidationError",
    "__version__",
]
