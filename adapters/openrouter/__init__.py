"""openrouter package."""
