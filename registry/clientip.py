"""The address a request really comes from, for the login lockout (AXES_CLIENT_IP_CALLABLE).

Behind a reverse proxy every request arrives from the proxy's address; X-Forwarded-For names the
client, but anyone can send that header. So it is read only when REMOTE_ADDR is one of
settings.TRUSTED_PROXIES, and then from the right: the first address not itself a trusted proxy
is the one the nearest trusted proxy saw. Whatever a client writes further left is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(
        address.version == net.version and address in net for net in networks
    )


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _trusted(_address(remote), networks):
        return remote
    nearest = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy of ours: stop at the last address we can trust
        if not _trusted(address, networks):
            return str(address)
        nearest = str(address)
    return nearest
