"""One delivery attempt on the wire: the URL checked against the server's ``UrlPolicy``
(``domain/webhook_urls.py``), its host resolved, every address checked, then the POST made to a checked
address, all within one deadline.

Connecting to the address that was checked, rather than handing the name to the HTTP client to resolve
again, is what defeats DNS rebinding (a name that answers a public address to the check and a private
one to the connection): the request goes to ``https://<address>:<port>/path`` with the Host header and
the TLS server name (SNI, and the certificate check) kept as the URL's host.

What the attempt log says is deliberately coarse: an HTTP status, a timeout, a refusal by the policy,
or "could not deliver" for every failure to get an answer (refused, reset, closed without a response,
TLS). Telling those apart would make the worker a port scanner.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from ipaddress import ip_address

import httpx

from arrears.domain import webhook_urls
from arrears.domain.webhook_urls import OPEN, IPAddress, Target, UrlPolicy, UrlRefused

TIMEOUT_SECONDS = 10.0  # the whole attempt: resolving, connecting, sending, and the answer's status line
RESOLVE_SECONDS = 5.0  # how long creating an endpoint waits for its host name to resolve
UNDELIVERED = "could not deliver: the endpoint gave no HTTP response"

# (host, port) -> the addresses it resolves to, as text; OSError when it does not resolve
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def addresses_of(parsed: Target, resolver: Resolver) -> list[IPAddress]:
    """The addresses to connect to: the literal one, or every address the name resolves to now ([] when
    it does not resolve)."""
    if parsed.address is not None:
        return [parsed.address]
    try:
        found = await resolver(parsed.host, parsed.port)
    except OSError:
        return []
    return [ip_address(a) for a in found]


async def check_url(url: str, policy: UrlPolicy, resolver: Resolver = system_resolver,
                    within: float = RESOLVE_SECONDS) -> None:
    """Before an endpoint is saved (outside the transaction): the URL's rules and, where the policy checks
    addresses, those its name resolves to now. A name that does not resolve (yet, or within ``within``
    seconds) is accepted, as Stripe accepts it: every delivery checks again."""
    parsed = webhook_urls.target(url, policy)
    if not policy.checks_addresses or parsed.address is not None:
        return
    try:
        async with asyncio.timeout(within):
            addresses = await addresses_of(parsed, resolver)
    except TimeoutError:
        return
    webhook_urls.check_addresses(url, parsed, addresses, policy)


def _tls_context() -> ssl.SSLContext:
    """One context for every attempt (building one costs ~25 ms): the CA bundle httpx would use."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx installs it
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class HttpTransport:
    """The worker's transport: ``await transport(url, body, headers)`` -> (HTTP status or None, error text
    or None). Never raises for anything the endpoint or the network does."""

    def __init__(self, policy: UrlPolicy = OPEN, *, timeout: float = TIMEOUT_SECONDS,
                 resolver: Resolver = system_resolver, tls: ssl.SSLContext | None = None) -> None:
        self.policy, self.timeout, self.resolver = policy, timeout, resolver
        self._tls = tls  # the certificates trusted (tests pass their own CA); httpx's bundle by default

    async def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._post(url, body, headers)
        except UrlRefused as refused:
            return None, f"could not deliver: {refused.reason}"
        except (TimeoutError, httpx.TimeoutException):
            return None, f"timed out: no answer within {self.timeout:g} s"
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ssl.SSLError):
            return None, UNDELIVERED

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
        parsed = webhook_urls.target(url, self.policy)
        if not self.policy.checks_addresses:  # open servers: the URL as given, the name resolved by httpx
            return await self._exchange(url, body, headers, {}, direct=False)
        addresses = await addresses_of(parsed, self.resolver)
        if not addresses:
            raise UrlRefused(url, f"{parsed.host} does not resolve")
        webhook_urls.check_addresses(url, parsed, addresses, self.policy)
        pinned = {**headers, "Host": parsed.host_header}
        extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
        for i, address in enumerate(addresses):
            try:
                return await self._exchange(parsed.url_for(address), body, pinned, extensions, direct=True)
            except httpx.ConnectError:
                if i == len(addresses) - 1:
                    raise
        raise AssertionError("unreachable: addresses is not empty")

    async def _exchange(self, url: str, body: bytes, headers: dict[str, str], extensions: dict[str, str], *,
                        direct: bool) -> tuple[int | None, str | None]:
        """POST and read the status; the body of the answer is never read (nothing needs it). ``direct``:
        connect to the checked address itself, never through an HTTP(S)_PROXY from the environment."""
        if self._tls is None:
            self._tls = _tls_context()
        async with httpx.AsyncClient(timeout=self.timeout, verify=self._tls, follow_redirects=False,
                                     trust_env=not direct) as client, \
                client.stream("POST", url, content=body, headers=headers, extensions=extensions) as response:
            return response.status_code, None
