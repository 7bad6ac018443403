"""A small in-process cache for page views built from the marts.

The key is the scope (role and district: what the user may see), the published snapshot the
request reads, and the view's arguments. A new snapshot changes the key, so nothing stale is
served; a user never gets a view built for another scope.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from dashboards.auth import Scope
from dashboards.queries import snapshot_key

T = TypeVar("T")
MAX_ENTRIES = 512


def scoped_cache(view: Callable[..., T]) -> Callable[..., T]:
    """Cache `view(scope, *args)` by (scope.key, snapshot, args)."""
    entries: OrderedDict[tuple, T] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(view)
    def cached(scope: Scope, *args) -> T:
        key = (scope.key, snapshot_key(scope), args)
        with lock:
            if key in entries:
                entries.move_to_end(key)
                return entries[key]
        result = view(scope, *args)
        with lock:
            entries[key] = result
            while len(entries) > MAX_ENTRIES:
                entries.popitem(last=False)
        return result

    cached.cache_clear = entries.clear  # type: ignore[attr-defined]
    return cached
