"""Who may see what: the login and the server-side session (`login`), roles and their
capabilities (`roles`), and the request's scope (`scope`). Callbacks and downloads obtain the
scope with `current_scope()` and pass it to `dashboards.queries`, which applies it to every row
it returns."""

from __future__ import annotations

from dashboards.auth.login import install
from dashboards.auth.roles import CAPABILITIES, PAGE_CAPABILITY, Denied, page_capability
from dashboards.auth.scope import Scope, current_scope, optional_scope

__all__ = [
    "CAPABILITIES",
    "PAGE_CAPABILITY",
    "Denied",
    "Scope",
    "current_scope",
    "install",
    "optional_scope",
    "page_capability",
]
