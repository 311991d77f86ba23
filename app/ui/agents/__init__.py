"""The Agents page: build an agent's definition without writing JSON (issue #11)."""
