"""Implementations of the application ports that talk to the world."""
