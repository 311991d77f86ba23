"""The Results page: calls table, recording player, transcript, disposition, notes, stats."""
