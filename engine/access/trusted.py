"""Trusted-header mode: behind the municipality's single sign-on proxy, the user name comes in a
configured header. It is believed only on a request whose peer address is a configured proxy
(the address of the TCP connection, never a forwarded-for header, which a client can write)."""

from __future__ import annotations

import ipaddress
from typing import Mapping, Optional

from engine.access.settings import AccessSettings


def is_trusted_proxy(config: AccessSettings, address: Optional[str]) -> bool:
    if not address or not config.trusted_proxies:
        return False
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net, strict=False) for net in config.trusted_proxies)


def header_user(config: AccessSettings, headers: Mapping[str, str], address: Optional[str]) -> Optional[str]:
    """The user name the proxy vouches for, or None (not in trusted mode, not from the proxy, or
    no header)."""
    if not config.trusted_mode or not is_trusted_proxy(config, address):
        return None
    value = headers.get(config.trusted_header or "")
    value = value.strip() if value else ""
    return value or None
