"""Pure domain rules: statuses, transitions, pacing, windows, retries. No I/O, no Qt."""
