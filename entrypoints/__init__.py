"""Settings, the DI container, logging and the MCP server: the only layer that knows MCP."""
