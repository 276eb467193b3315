"""The OpenRouter HTTP adapter: one httpx.AsyncClient, lenient parsing, one error classifier."""
