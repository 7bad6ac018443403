"""The request's scope: who is asking and which districts they reach, built on the server from
the session only, never from a value the browser sends."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

from dashboards.auth.roles import CAPABILITIES, Denied
from pipelines.ops import accounts
from pipelines.ops.accounts import User
from pipelines.settings import Settings


@dataclass(frozen=True)
class Scope:
    """A logged-in user's reach: all districts, or one district for district users."""

    settings: Settings
    user: str
    role: str
    district: str | None  # set for district users only
    ip: str | None = None  # the client's address, for the audit log

    @classmethod
    def of(cls, settings: Settings, user: User, ip: str | None = None) -> Scope:
        if user.role not in accounts.ROLES or (user.role == "district") != bool(user.district):
            raise Denied("invalid account")
        district = user.district if user.role == "district" else None
        return cls(settings, user.name, user.role, district, ip)

    @property
    def key(self) -> tuple[str, str]:
        """For cache keys: what the scope lets through."""
        return (self.role, self.district or "*")

    def allows(self, capability: str) -> bool:
        return self.role in CAPABILITIES.get(capability, frozenset())

    def require(self, capability: str) -> Scope:
        if not self.allows(capability):
            raise Denied(f"{self.role} may not {capability}")
        return self

    def sees(self, district_code: str | None) -> bool:
        """Whether rows of this district (None: city-wide rows) are visible."""
        return self.district is None or district_code == self.district


def current_scope(capability: str = "view") -> Scope:
    """The scope of the request being served, checked for `capability`. Raises Denied."""
    try:
        scope = g.get("scope")
    except RuntimeError:  # outside a request: nobody
        scope = None
    if scope is None:
        raise Denied("not logged in")
    return scope.require(capability)


def optional_scope() -> Scope | None:
    """The request's scope, or None (no request or no login): for the shell's layout."""
    try:
        return g.get("scope")
    except RuntimeError:
        return None


def client_ip(settings: Settings) -> str | None:
    """The client's address: the connection's, or — when the connection comes from one of the
    trusted proxies (REHAB_MONITOR_TRUSTED_PROXIES) — the nearest address in X-Forwarded-For
    that is not a trusted proxy. A forwarded-for header from anyone else is ignored."""
    remote = request.remote_addr
    trusted = {p.strip() for p in (settings.trusted_proxies or "").split(",") if p.strip()}
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return remote
