"""Roles and what they may do: each capability lists the roles that have it; pages, callbacks,
routes and downloads each require one, and anything not listed is denied."""

from __future__ import annotations

# Capability → roles that have it. Pages, callbacks, routes and downloads each require one.
CAPABILITIES: dict[str, frozenset[str]] = {
    "view": frozenset({"admin", "leader", "office", "analyst", "district"}),
    "downloads": frozenset({"admin", "office", "analyst", "district"}),
    "bulletins": frozenset({"admin", "leader", "office"}),
    "bulletins.generate": frozenset({"admin", "office"}),
    "loaded": frozenset({"admin", "office", "analyst"}),
    "persons": frozenset({"district"}),
    "admin": frozenset({"admin"}),
    "data": frozenset({"admin"}),
    "targets": frozenset({"admin"}),
    # 督办 and the policy's tasks (§11): the office opens, closes and returns items and edits
    # the task list; a district answers its own items and reports its own tasks.
    "supervision": frozenset({"admin", "leader", "office", "district"}),
    "supervision.manage": frozenset({"admin", "office"}),
    "supervision.answer": frozenset({"district"}),
    "tasks": frozenset({"admin", "leader", "office", "analyst", "district"}),
    "tasks.report": frozenset({"district"}),
    "tasks.manage": frozenset({"admin", "office"}),
    "bulletins.district": frozenset({"admin", "office", "district"}),
}

# Page path (first segment) → the capability its layout and callbacks need.
PAGE_CAPABILITY = {
    "": "view",
    "district": "view",
    "scorecard": "view",
    "notifications": "view",
    "downloads": "downloads",
    "bulletins": "bulletins",
    "loaded": "loaded",
    "admin": "admin",
    "data": "data",
    "targets": "targets",
    "supervision": "supervision",
    "tasks": "tasks",
}


class Denied(PermissionError):
    """The request is not allowed for this user (or there is no user)."""


def page_capability(path: str | None) -> str | None:
    first = (path or "/").strip("/").split("/")[0]
    return PAGE_CAPABILITY.get(first)
