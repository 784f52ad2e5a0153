"""The HTTP layer: thin handlers that parse, authenticate, call one service, and answer JSON."""
