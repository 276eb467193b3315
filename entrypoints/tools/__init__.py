"""One module per tool family: registration, schema and description."""
