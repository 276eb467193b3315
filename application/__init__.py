"""Ports (typing.Protocol) and use cases; depends only on the domain."""
