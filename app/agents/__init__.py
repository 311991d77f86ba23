"""The voice agent: definitions (a JSON format), the flow engine, compliance, the knowledge
base and the CLI; the ConversationRelay server comes later."""
