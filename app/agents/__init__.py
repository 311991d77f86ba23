"""The voice agent: definitions (a JSON format), the flow engine, compliance and the CLI."""
