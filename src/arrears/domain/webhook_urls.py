"""Which URLs a webhook endpoint may have: pure rules, no DNS (``webhooks/transport.py`` resolves names
and hands the addresses back to ``check_addresses``).

A server's ``UrlPolicy`` has one of three reaches:

    any      open servers (loopback only, the development loop): any well-formed http(s) URL,
             localhost and 127.0.0.1 included
    public   strict servers: only public addresses, and host names that resolve only to them
    private  strict servers with ARREARS_WEBHOOK_ALLOW_PRIVATE=1: loopback and private networks too,
             never link-local, cloud metadata, multicast, unspecified or reserved addresses

Well formed, on every server: scheme http or https; a host; a port from 1 to 65535 when one is
given; a host name of letters, digits, ``-`` and ``_`` (IDNA for the rest), or an IP address written
the usual way. A host that ends in a number is an IPv4 address, as browsers read it (the WHATWG URL
rules), and must be four decimal numbers: ``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1`` all
mean 127.0.0.1 and are refused, saying so.

On strict servers, also refused: a user name or password in the URL; addresses in ``NETWORKS`` (IPv4,
IPv6, and IPv4 inside IPv6: mapped ``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``);
anything else Python's ``ipaddress`` does not call global; the cloud metadata names in
``METADATA_NAMES``; and, unless private targets are allowed, ``localhost`` names, single-label names and
the private-use suffixes in ``PRIVATE_SUFFIXES``.

Every refusal is a ``UrlRefused``: a ``ParamError`` on ``url`` (Stripe's ``url_invalid``) whose
``reason`` is the short sentence the attempt log shows when the check fails at delivery time.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from typing import Literal
from urllib.parse import urlsplit

from arrears.domain.errors import ParamError

Reach = Literal["any", "public", "private"]
IPAddress = IPv4Address | IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}
POLICY_HINT = ("Webhook endpoints on this server must be publicly accessible; to test with a local receiver, "
               "use `arrears listen --forward-to` or a server on loopback. An operator can allow private "
               "networks with ARREARS_WEBHOOK_ALLOW_PRIVATE=1.")


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """Where this server's webhooks may go (see the module docstring)."""

    reach: Reach = "any"

    @property
    def checks_addresses(self) -> bool:
        return self.reach != "any"


OPEN, PUBLIC, PRIVATE = UrlPolicy("any"), UrlPolicy("public"), UrlPolicy("private")


class UrlRefused(ParamError):
    """A webhook URL this server does not accept. ``reason`` says why in a few words."""

    def __init__(self, url: str, reason: str, *, by_policy: bool = False) -> None:
        shown = url if len(url) <= 200 else url[:200] + "..."
        message = f"Invalid URL: {shown} ({reason})."
        super().__init__(f"{message} {POLICY_HINT}" if by_policy else message, param="url", code="url_invalid")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed webhook URL: what to connect to and what to say in the request."""

    scheme: str
    host: str  # lower-case ASCII, no brackets, no trailing dot
    port: int  # the one given, or the scheme's default
    path: str  # path and query, at least "/"
    address: IPAddress | None  # the host when it is an IP address
    userinfo: str = ""

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_for(self, address: IPAddress) -> str:
        """The same request, addressed to ``address`` (the Host header and SNI keep ``host``)."""
        shown = f"[{address}]" if address.version == 6 else str(address)
        return f"{self.scheme}://{shown}:{self.port}{self.path}"


# --- the address classes ---------------------------------------------------------------------------

def _nets(*rows: tuple[str, str, bool]) -> tuple[tuple[IPv4Network | IPv6Network, str, bool], ...]:
    return tuple((ip_network(net), what, private_ok) for net, what, private_ok in rows)


# (network, what it is, allowed when the operator allows private targets). First match wins, so the
# single metadata addresses come before the ranges that hold them.
NETWORKS = _nets(
    ("169.254.169.254/32", "a cloud metadata address", False),
    ("100.100.100.200/32", "a cloud metadata address", False),
    ("fd00:ec2::254/128", "a cloud metadata address", False),
    ("0.0.0.0/8", "an unspecified address", False),
    ("127.0.0.0/8", "a loopback address", True),
    ("10.0.0.0/8", "a private address", True),
    ("172.16.0.0/12", "a private address", True),
    ("192.168.0.0/16", "a private address", True),
    ("100.64.0.0/10", "a shared (carrier-grade NAT) address", True),
    ("169.254.0.0/16", "a link-local address", False),
    ("192.0.0.0/24", "a reserved address", False),
    ("192.0.2.0/24", "a documentation address", False),
    ("198.51.100.0/24", "a documentation address", False),
    ("203.0.113.0/24", "a documentation address", False),
    ("198.18.0.0/15", "a benchmarking address", False),
    ("192.88.99.0/24", "a reserved address", False),
    ("224.0.0.0/4", "a multicast address", False),
    ("240.0.0.0/4", "a reserved address", False),
    ("::/128", "an unspecified address", False),
    ("::1/128", "a loopback address", True),
    ("fc00::/7", "a unique-local (private) address", True),
    ("fec0::/10", "a site-local (private) address", True),
    ("fe80::/10", "a link-local address", False),
    ("ff00::/8", "a multicast address", False),
    ("100::/64", "a reserved address", False),
    ("2001:db8::/32", "a documentation address", False),
    ("2001::/23", "a reserved address", False),
    ("64:ff9b:1::/48", "a reserved address", False),
    ("::/8", "a reserved address", False),
)
NAT64 = ip_network("64:ff9b::/96")

METADATA_NAMES = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    "metadata.ec2.internal", "metadata.tencentyun.com", "metadata.packet.net", "metadata.platformequinix.com",
})
PRIVATE_SUFFIXES = (".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp")


def classify(address: IPAddress) -> tuple[str, bool] | None:
    """What a non-public address is, and whether allowing private targets lets it through; None for a
    public one."""
    if isinstance(address, IPv6Address):
        inner, form = _embedded(address)
        if inner is not None:
            found = classify(inner)
            return None if found is None else (f"{found[0]} ({form} {inner})", found[1])
    for network, what, private_ok in NETWORKS:
        if address.version == network.version and address in network:
            return what, private_ok
    if address.is_multicast or address.is_reserved or not address.is_global:
        return "not a public address", False
    return None


def _embedded(address: IPv6Address) -> tuple[IPv4Address | None, str]:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "IPv4-mapped"
    if address in NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF), "NAT64 for"
    if address.sixtofour is not None:
        return address.sixtofour, "6to4 for"
    return None, ""


def address_refusal(address: IPAddress, policy: UrlPolicy) -> str | None:
    """Why ``policy`` refuses ``address`` (e.g. "a loopback address"), or None."""
    if not policy.checks_addresses:
        return None
    found = classify(address)
    if found is None or (found[1] and policy.reach == "private"):
        return None
    return found[0]


def name_refusal(host: str, policy: UrlPolicy) -> str | None:
    """Why ``policy`` refuses the host name ``host`` before any lookup, or None."""
    if not policy.checks_addresses:
        return None
    if host in METADATA_NAMES:
        return f"{host} is a cloud metadata name"
    if policy.reach == "private":
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is a loopback name"
    if "." not in host:
        return f"{host} is a single-label name, not a public host name"
    suffix = next((s for s in PRIVATE_SUFFIXES if host.endswith(s)), None)
    if suffix is not None:
        return f"{host} is a private name ({suffix})"
    return None


# --- parsing ---------------------------------------------------------------------------------------

def parse(url: str) -> Target:
    """The parts of a well-formed http(s) URL; UrlRefused otherwise (on every server)."""
    if any(c <= " " or c == "\x7f" for c in url):
        raise UrlRefused(url, "a URL cannot contain spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise UrlRefused(url, "it is not a URL") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        raise UrlRefused(url, "a webhook endpoint URL must be an absolute http(s) URL")
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host, port_text = _split_host_port(url, hostport)
    address, host = _host(url, host)
    port = DEFAULT_PORTS[parts.scheme]
    if port_text:
        if not (port_text.isascii() and port_text.isdigit()):
            raise UrlRefused(url, f"the port {port_text[:20]!r} is not a number")
        port = int(port_text)
        if not 0 < port < 65536:
            raise UrlRefused(url, f"the port {port} is out of range: use 1-65535")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, address, userinfo)


def _split_host_port(url: str, hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        end = hostport.find("]")
        rest = hostport[end + 1:] if end > 0 else "?"
        if rest and not rest.startswith(":"):
            raise UrlRefused(url, "its IPv6 address is not in brackets followed by an optional :port")
        return hostport[:end + 1], rest[1:]
    host, _, port = hostport.partition(":")
    return host, port


def _host(url: str, host: str) -> tuple[IPAddress | None, str]:
    """The host as an address (or None) and as the lower-case ASCII text to send."""
    if host.startswith("["):
        try:
            v6 = IPv6Address(host[1:-1])
        except ValueError:
            raise UrlRefused(url, f"{host} is not a valid IPv6 address") from None
        if v6.scope_id:
            raise UrlRefused(url, "an IPv6 address with a zone index cannot be a webhook endpoint")
        return v6, str(v6)
    if not host:
        raise UrlRefused(url, "it has no host")
    if "%" in host:
        raise UrlRefused(url, "a host cannot be percent-encoded")
    name = host.lower()
    name = name[:-1] if name.endswith(".") else name
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise UrlRefused(url, f"{host} is not a valid host name") from None
    labels = name.split(".")
    if _numeric(labels[-1]):
        v4 = _ipv4(labels)
        if v4 is None:
            raise UrlRefused(url, f"{host} is not a valid IPv4 address")
        if str(v4) != name:
            raise UrlRefused(url, f"{host} means the IPv4 address {v4}: write an IP address as four decimal "
                                  "numbers")
        return v4, name
    if len(name) > 253 or not all(_label(label) for label in labels):
        raise UrlRefused(url, f"{host} is not a valid host name")
    return None, name


def _label(label: str) -> bool:
    return 0 < len(label) <= 63 and all(c.isalnum() or c in "-_" for c in label) and label.isascii()


def _numeric(label: str) -> bool:
    """WHATWG's "ends in a number": a last label of digits, or 0x and hex digits."""
    if label.isascii() and label.isdigit():
        return True
    return label[:2] in ("0x", "0X") and all(c in "0123456789abcdefABCDEF" for c in label[2:])


def _ipv4(labels: list[str]) -> IPv4Address | None:
    """The WHATWG IPv4 parser (what browsers and inet_aton accept): 1 to 4 parts, each decimal, octal
    (leading 0) or hex (0x); the last fills the remaining bytes. None when it is not one."""
    if not 0 < len(labels) <= 4:
        return None
    numbers = []
    for part in labels:
        if not part:
            return None
        base, digits = (16, part[2:]) if part[:2] in ("0x", "0X") else (8, part[1:]) if (
            len(part) > 1 and part[0] == "0") else (10, part)
        try:
            numbers.append(int(digits, base) if digits else 0)
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return IPv4Address(value)


# --- the checks ------------------------------------------------------------------------------------

def target(url: str, policy: UrlPolicy) -> Target:
    """``url`` parsed and checked by every rule that needs no DNS; UrlRefused otherwise."""
    parsed = parse(url)
    if not policy.checks_addresses:
        return parsed
    if parsed.userinfo:
        raise UrlRefused(url, "a webhook URL cannot carry a user name or password", by_policy=True)
    if parsed.address is not None:
        why = address_refusal(parsed.address, policy)
        if why is not None:
            raise UrlRefused(url, f"{parsed.host} is {why}", by_policy=True)
        return parsed
    why = name_refusal(parsed.host, policy)
    if why is not None:
        raise UrlRefused(url, why, by_policy=True)
    return parsed


def check_addresses(url: str, parsed: Target, addresses: list[IPAddress], policy: UrlPolicy) -> None:
    """Every address the host resolved to is allowed; UrlRefused naming the class of the first that is
    not (never the address itself: the name may be someone's internal one)."""
    for address in addresses:
        why = address_refusal(address, policy)
        if why is not None:
            raise UrlRefused(url, f"{parsed.host} resolves to {why}", by_policy=True)
