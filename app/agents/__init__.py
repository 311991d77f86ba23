"""Agents: what the voice agent says and does on each call.

Its parts, as they land:

- ``definition``: the agent JSON format, validated with pydantic;
- ``flow``: the step engine that walks an agent's steps;
- ``knowledge``: documents and their SQLite FTS5 retrieval;
- ``llm``: the optional OpenAI-compatible client;
- ``relay``: the ConversationRelay websocket and the ``<Connect action>`` server;
- ``twiml``: each call's TwiML (`app.agents.twiml.twiml_for`, today a greeting read out);
- ``results``: a call's outcome, fields and summary.

The dialer asks this package for each call's TwiML; nothing here imports `app.dialer`.
"""
