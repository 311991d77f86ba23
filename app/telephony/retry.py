"""Jittered exponential backoff ("full jitter"): spread retries so clients do not stampede."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base_s: float = 0.5
    cap_s: float = 20.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rand: Callable[[], float] = field(default=random.random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number *attempt* (0-based): uniform in [0, base*2^n]."""
        return self.rand() * min(self.cap_s, self.base_s * (2**attempt))

    async def wait(self, attempt: int) -> float:
        delay = self.delay(attempt)
        await self.sleep(delay)
        return delay
