"""The voice agent: definitions, runtime, knowledge base and the ConversationRelay server."""
