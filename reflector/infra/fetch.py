"""Fetching a recording from a URL a platform gave us, without letting the URL aim anywhere.

Only https; the host must be on the platform's allow-list; every address it resolves to must
be public; the connection goes to the address that was checked (TLS still checks the name);
redirects are followed by hand and each hop is checked again; timeouts are short and the size
cap holds while streaming. `allow_loopback_http` exists for tests, whose fake servers listen on
127.0.0.1, and allows nothing else.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from reflector import USER_AGENT
from reflector.infra.job_errors import PermanentJobError, TransientJobError
from reflector.infra.storage import Storage, Stored
from reflector.infra.streams import reporting

Resolver = Callable[[str, int], Awaitable[list[str]]]
MAX_REDIRECTS = 3


class FetchRefused(PermanentJobError):
    """The URL, an address it resolves to, or the answer breaks the fetch policy."""


ANY_HOST = "*"


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: tuple[str, ...]
    max_bytes: int
    allow_loopback_http: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    schemes: tuple[str, ...] = ("https",)
    allow_private: bool = False

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if ANY_HOST in self.allowed_hosts:
            return True
        for allowed in self.allowed_hosts:
            allowed = allowed.lower().rstrip(".")
            if host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed)):
                return True
        return False


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def fetch(
    url: str,
    policy: FetchPolicy,
    storage: Storage,
    key: str,
    *,
    resolver: Resolver = system_resolver,
    transport: httpx.AsyncBaseTransport | None = None,
    told: Callable[[float], None] | None = None,
) -> Stored:
    """The file at `url` into `storage` under `key`; `told` hears the fraction received."""
    timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
    async with httpx.AsyncClient(
        timeout=timeout,
        transport=transport,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            target = await checked_target(url, policy, resolver)
            response = await client.send(target.request(client, "GET"), stream=True)
            try:
                if response.is_redirect:
                    url = urljoin(str(target.url), response.headers.get("location", ""))
                    continue
                _check_status(response.status_code)
                length = response.headers.get("content-length", "")
                expected = int(length) if length.isdigit() else None
                chunks = reporting(response.aiter_bytes(), expected, told)
                return await storage.put(key, chunks, policy.max_bytes, expected)
            finally:
                await response.aclose()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


@dataclass(frozen=True)
class Target:
    """A URL whose host passed the policy, and the checked address to connect to."""

    url: httpx.URL
    host: str
    address: str

    def request(self, client: httpx.AsyncClient, method: str, **kwargs: Any) -> httpx.Request:
        """A request to the checked address; Host and TLS (SNI, certificate) use the name."""
        headers = {**kwargs.pop("headers", {}), "Host": self.url.netloc.decode()}
        return client.build_request(
            method,
            self.url.copy_with(host=self.address),
            headers=headers,
            extensions={"sni_hostname": self.host},
            **kwargs,
        )


async def checked_target(
    url: str, policy: FetchPolicy, resolver: Resolver = system_resolver
) -> Target:
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchRefused(f"not a URL: {exc}") from None
    host = target.host
    if not host or not policy.allows_host(host):
        raise FetchRefused(f"host {host!r} is not on the allow-list")
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(a) for a in await resolver(host, port)]
    except OSError as exc:
        raise TransientJobError(f"could not resolve {host!r}: {exc}") from exc
    if not addresses:
        raise FetchRefused(f"{host!r} resolves to no address")
    loopback_test = policy.allow_loopback_http and all(_embedded(a).is_loopback for a in addresses)
    if target.scheme not in policy.schemes and not (target.scheme == "http" and loopback_test):
        allowed = " or ".join(policy.schemes)
        raise FetchRefused(f"only {allowed} is allowed, not {target.scheme!r}")
    if not (loopback_test or policy.allow_private):
        for address in addresses:
            if not is_public(address):
                raise FetchRefused(f"{host!r} resolves to a non-public address ({address})")
    return Target(target, host, str(addresses[0]))


# NAT64's well-known prefix (RFC 6052) carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215): where in it an IPv4 address sits is the network's choice.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global address, and so is every IPv4 address it carries: IPv4-mapped, NAT64, 6to4
    and Teredo addresses reach the IPv4 address inside them, which may be 127.0.0.1."""
    if isinstance(address, ipaddress.IPv6Address) and address in _LOCAL_NAT64:
        return False
    return address.is_global and _embedded(address).is_global


def _embedded(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 address reaches, if it carries one; else itself."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return address


def _check_status(status: int) -> None:
    if status == 200:
        return
    if status in (408, 429) or status >= 500:
        raise TransientJobError(f"the recording server answered {status}")
    raise FetchRefused(f"the recording server answered {status}")
