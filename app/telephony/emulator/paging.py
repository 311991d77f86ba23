"""Twilio's list pagination: Page/PageSize/PageToken, v2010 `*_page_uri` and v2 `meta` shapes.

PageToken is `PA<sid>` (the page after that record) or `PB<sid>` (the page before it), like
Twilio's, so pages stay stable while newer calls are being created at the top of the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

PAGING_PARAMS = ("Page", "PageSize", "PageToken")
MAX_PAGE_SIZE = 1000


class BadPaging(ValueError):
    pass


@dataclass
class Window:
    page: int
    size: int
    token: str | None
    start: int
    items: Sequence[Any]
    has_next: bool


def _window(query: Mapping[str, str], items: Sequence[Any]) -> Window:
    try:
        page = int(query.get("Page", 0))
        size = int(query.get("PageSize", 50))
    except ValueError as exc:
        raise BadPaging("Page and PageSize must be integers") from exc
    if page < 0 or size < 1:
        raise BadPaging("Page must be >= 0 and PageSize >= 1")
    size = min(size, MAX_PAGE_SIZE)
    token = query.get("PageToken") or None
    start = page * size
    if token and token[:2] in ("PA", "PB"):
        sids = [getattr(item, "sid", None) for item in items]
        if token[2:] in sids:
            idx = sids.index(token[2:])
            start = idx + 1 if token.startswith("PA") else max(0, idx - size)
    chunk = items[start : start + size]
    return Window(page, size, token, start, chunk, start + size < len(items))


def _query(filters: list[tuple[str, str]], size: int, page: int, token: str | None) -> str:
    params = [*filters, ("PageSize", str(size)), ("Page", str(page))]
    if token:
        params.append(("PageToken", token))
    return urlencode(params)


def _filters(query: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in query.items() if k not in PAGING_PARAMS]


def v2010_page(
    query: Mapping[str, str],
    items: Sequence[Any],
    key: str,
    path: str,
    render: Callable[[Any], dict],
) -> dict:
    win = _window(query, items)
    filters = _filters(query)
    body: dict[str, Any] = {
        key: [render(item) for item in win.items],
        "end": win.page * win.size + max(len(win.items) - 1, 0),
        "first_page_uri": f"{path}?{_query(filters, win.size, 0, None)}",
        "next_page_uri": None,
        "page": win.page,
        "page_size": win.size,
        "previous_page_uri": None,
        "start": win.page * win.size,
        "uri": f"{path}?{_query(filters, win.size, win.page, win.token)}",
    }
    if win.has_next and win.items:
        token = f"PA{win.items[-1].sid}"
        body["next_page_uri"] = f"{path}?{_query(filters, win.size, win.page + 1, token)}"
    if win.page > 0 and win.items:
        token = f"PB{win.items[0].sid}"
        body["previous_page_uri"] = f"{path}?{_query(filters, win.size, win.page - 1, token)}"
    return body


def v2_page(
    query: Mapping[str, str],
    items: Sequence[Any],
    key: str,
    url: str,
    render: Callable[[Any], dict],
) -> dict:
    win = _window(query, items)
    filters = _filters(query)
    meta: dict[str, Any] = {
        "key": key,
        "page": win.page,
        "page_size": win.size,
        "first_page_url": f"{url}?{_query(filters, win.size, 0, None)}",
        "previous_page_url": None,
        "url": f"{url}?{_query(filters, win.size, win.page, win.token)}",
        "next_page_url": None,
    }
    if win.has_next and win.items:
        token = f"PA{win.items[-1].sid}"
        meta["next_page_url"] = f"{url}?{_query(filters, win.size, win.page + 1, token)}"
    if win.page > 0 and win.items:
        token = f"PB{win.items[0].sid}"
        meta["previous_page_url"] = f"{url}?{_query(filters, win.size, win.page - 1, token)}"
    return {key: [render(item) for item in win.items], "meta": meta}
