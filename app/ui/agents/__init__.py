"""The Agents page: build an agent's definition without writing JSON, try it and test it (issue #11)."""
