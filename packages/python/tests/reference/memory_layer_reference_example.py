# The Memory Layer reference's Python example, copied verbatim from its API reference ("Integration Guides",
# "Python"). test_reference_example.py runs it unchanged against our server, setting only API_KEY and BASE_URL.

import requests

API_KEY = "YOUR_API_KEY"
BASE_URL = "https://memory-layer-api.onrender.com"

class MemoryLayerClient:
    def __init__(self, api_key: str, user_id: str):
        self.headers = {
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
        }
        self.user_id = user_id

    def remember(self, content: str) -> dict:
        """Store a memory for this user."""
        res = requests.post(
            f"{BASE_URL}/v1/memory/",
            headers=self.headers,
            json={"content": content, "external_user_id": self.user_id},
        )
        return res.json()

    def recall(self, query: str, limit: int = 5) -> list:
        """Search memories by semantic similarity."""
        res = requests.post(
            f"{BASE_URL}/v1/memory/search",
            headers=self.headers,
            json={
                "query": query,
                "external_user_id": self.user_id,
                "limit": limit,
                "similarity_threshold": 0.3,
            },
        )
        return res.json().get("results", [])

    def chat(self, message: str) -> str:
        """Send a message with memory-augmented context."""
        res = requests.post(
            f"{BASE_URL}/v1/chat/",
            headers=self.headers,
            json={"message": message, "external_user_id": self.user_id},
        )
        return res.json().get("reply", "")


# Usage
client = MemoryLayerClient(API_KEY, user_id="john_doe@gmail.com")
client.remember("I am building a React dashboard for a SaaS startup")
reply = client.chat("What am I building?")
print(reply)
# "You are building a React dashboard for a SaaS startup."
