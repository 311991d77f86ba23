"""The Agents page: the definition editor and its side panes (issue #11)."""
