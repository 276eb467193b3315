"""Binds the chat, catalogue and health feature files."""

from pytest_bdd import scenarios

scenarios("chat_completion.feature", "model_catalogue.feature", "health_check.feature")
