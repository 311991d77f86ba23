"""Rows of a table over ids, read a block at a time; the least recently used blocks go first.

The table models over 100,000+ ids (contacts, calls) share it: a view asks for a row, the
block around it is read in one query, and memory stays bounded however far the user scrolls.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Row = TypeVar("Row")


class BlockCache(Generic[Row]):
    def __init__(
        self,
        fetch: Callable[[list[int]], list[Row]],
        *,
        block_size: int = 200,
        max_blocks: int = 50,
    ) -> None:
        self._fetch = fetch  # ids -> their rows, in the same order
        self.block_size = block_size
        self.max_blocks = max_blocks
        self._blocks: OrderedDict[int, list[Row]] = OrderedDict()

    def row(self, ids: Sequence[int], index: int) -> Row:
        block_no = index // self.block_size
        block = self._blocks.get(block_no)
        if block is None:
            start = block_no * self.block_size
            block = self._fetch(list(ids[start : start + self.block_size]))
            self._blocks[block_no] = block
            if len(self._blocks) > self.max_blocks:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_no)
        return block[index - block_no * self.block_size]

    def forget(self, index: int | None = None) -> None:
        """Drop the block holding row *index*, or every block."""
        if index is None:
            self._blocks.clear()
        else:
            self._blocks.pop(index // self.block_size, None)

    def cached_blocks(self) -> list[int]:
        return list(self._blocks)
