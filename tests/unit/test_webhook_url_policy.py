"""The webhook URL rules (``arrears.domain.webhook_urls``): which URLs each kind of server accepts, as a
table, with no network. Names are resolved through a fake resolver handed to
``webhooks.transport.check_url``, the function the Stripe face awaits before creating or updating an
endpoint."""

from __future__ import annotations

import asyncio
from ipaddress import ip_address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.errors import ParamError
from arrears.domain.webhook_urls import OPEN, PRIVATE, PUBLIC, UrlPolicy, UrlRefused, check_addresses, parse, target
from arrears.webhooks.transport import check_url

# url, what the refusal on a strict server says, whether ARREARS_WEBHOOK_ALLOW_PRIVATE=1 lets it through
NOT_PUBLIC = [
    # cloud metadata, by address and by name: never, whatever the operator allows
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address", False),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a cloud metadata address", False),
    ("http://100.100.100.200/latest/meta-data/", "a cloud metadata address", False),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a cloud metadata name", False),
    ("http://METADATA.Google.Internal./computeMetadata/v1/", "cloud metadata name", False),
    ("http://metadata/computeMetadata/v1/", "metadata is a cloud metadata name", False),
    ("http://metadata.goog/", "cloud metadata name", False),
    ("http://instance-data/latest/", "cloud metadata name", False),
    ("http://instance-data.ec2.internal/latest/", "cloud metadata name", False),
    # loopback
    ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address", True),
    ("http://127.255.255.254/", "loopback address", True),
    ("http://[::1]:8080/hook", "::1 is a loopback address", True),
    ("http://localhost:8080/hook", "localhost is a loopback name", True),
    ("http://LocalHost./hook", "loopback name", True),
    ("http://api.localhost/hook", "loopback name", True),
    # private, unique-local, carrier-grade NAT
    ("http://10.0.0.1/", "10.0.0.1 is a private address", True),
    ("http://172.16.0.1/", "private address", True),
    ("http://172.31.255.254/", "private address", True),
    ("http://192.168.1.1/", "private address", True),
    ("http://[fd12:3456:789a::1]/", "unique-local (private) address", True),
    ("http://[fc00::1]/", "unique-local (private) address", True),
    ("http://[fec0::1]/", "site-local (private) address", True),
    ("http://100.64.0.1/", "shared (carrier-grade NAT) address", True),
    ("http://100.127.255.254/", "shared (carrier-grade NAT) address", True),
    # link-local, unspecified, multicast, reserved, documentation, benchmarking
    ("http://169.254.1.1/", "link-local address", False),
    ("http://[fe80::1]/", "link-local address", False),
    ("http://0.0.0.0:8080/", "0.0.0.0 is an unspecified address", False),
    ("http://0.1.2.3/", "unspecified address", False),
    ("http://[::]/", ":: is an unspecified address", False),
    ("http://224.0.0.251/", "multicast address", False),
    ("http://239.255.255.250:1900/", "multicast address", False),
    ("http://[ff02::1]/", "multicast address", False),
    ("http://240.0.0.1/", "reserved address", False),
    ("http://255.255.255.255/", "reserved address", False),
    ("http://192.0.0.8/", "reserved address", False),
    ("http://192.0.2.10/", "documentation address", False),
    ("http://203.0.113.7/", "documentation address", False),
    ("http://[2001:db8::1]/", "documentation address", False),
    ("http://198.18.0.1/", "benchmarking address", False),
    ("http://[100::1]/", "reserved address", False),
    ("http://[::127.0.0.1]/", "reserved address", False),  # IPv4-compatible IPv6, deprecated
    # IPv4 inside IPv6: judged by the IPv4 address it carries
    ("http://[::ffff:127.0.0.1]/", "loopback address (IPv4-mapped 127.0.0.1)", True),
    ("http://[::ffff:169.254.169.254]/", "cloud metadata address (IPv4-mapped 169.254.169.254)", False),
    ("http://[::ffff:10.0.0.1]/", "private address (IPv4-mapped 10.0.0.1)", True),
    ("http://[::ffff:0.0.0.0]/", "unspecified address (IPv4-mapped 0.0.0.0)", False),
    ("http://[64:ff9b::a9fe:a9fe]/", "cloud metadata address (NAT64 for 169.254.169.254)", False),
    ("http://[64:ff9b::7f00:1]/", "loopback address (NAT64 for 127.0.0.1)", True),
    ("http://[2002:a00:1::]/", "private address (6to4 for 10.0.0.1)", True),
    # names that only mean something inside a network
    ("http://printer/hook", "printer is a single-label name", True),
    ("http://billing.internal/hook", "private name (.internal)", True),
    ("http://nas.local/hook", "private name (.local)", True),
    ("http://router.home.arpa/hook", "private name (.home.arpa)", True),
    # credentials in the URL, the old trick to make a URL look like it goes elsewhere
    ("https://user:secret@hooks.example.com/", "cannot carry a user name or password", False),
    ("https://hooks.example.com@127.0.0.1/", "cannot carry a user name or password", False),
    ("https://hooks.example.com:443@169.254.169.254/", "cannot carry a user name or password", False),
]

# Refused on every server, open ones included: not well formed, or an IPv4 address in disguise.
MALFORMED = [
    ("http://2130706433/", "2130706433 means the IPv4 address 127.0.0.1"),
    ("http://017700000001/", "means the IPv4 address 127.0.0.1"),
    ("http://0x7f000001/", "means the IPv4 address 127.0.0.1"),
    ("http://0177.0.0.1/", "0177.0.0.1 means the IPv4 address 127.0.0.1"),
    ("http://0x7f.0.0.1/", "means the IPv4 address 127.0.0.1"),
    ("http://0x7f.1/", "0x7f.1 means the IPv4 address 127.0.0.1"),
    ("http://127.1/", "127.1 means the IPv4 address 127.0.0.1"),
    ("http://127.0.1/", "means the IPv4 address 127.0.0.1"),
    ("http://127.000.000.001/", "means the IPv4 address 127.0.0.1"),
    ("http://0/", "means the IPv4 address 0.0.0.0"),
    ("http://3232235777/", "means the IPv4 address 192.168.1.1"),
    ("http://0xa9fea9fe/", "means the IPv4 address 169.254.169.254"),
    ("http://0251.0376.0251.0376/", "means the IPv4 address 169.254.169.254"),
    ("http://1.2.3.4.5/", "1.2.3.4.5 is not a valid IPv4 address"),
    ("http://256.1.1.1/", "not a valid IPv4 address"),
    ("http://4294967296/", "not a valid IPv4 address"),
    ("http://08.1.1.1/", "not a valid IPv4 address"),  # a leading 0 is octal, and 8 is not an octal digit
    ("http://example.123/", "not a valid IPv4 address"),
    ("http://hooks.example.com:99999/", "the port 99999 is out of range: use 1-65535"),
    ("http://hooks.example.com:65536/", "out of range"),
    ("http://hooks.example.com:0/", "the port 0 is out of range"),
    ("http://hooks.example.com:http/", "the port 'http' is not a number"),
    ("http://hooks.example.com:-1/", "is not a number"),
    ("http://hooks.example.com:\uff18\uff10/", "is not a number"),  # full-width digits
    ("http://hooks.example.com:80:80/", "is not a number"),
    ("ftp://hooks.example.com/", "must be an absolute http(s) URL"),
    ("javascript:alert(1)", "must be an absolute http(s) URL"),
    ("//hooks.example.com/stripe", "must be an absolute http(s) URL"),
    ("http:///stripe", "must be an absolute http(s) URL"),
    ("not a url", "cannot contain spaces or control characters"),
    ("http://hooks.example.com\t.evil/", "cannot contain spaces or control characters"),
    ("http://hooks.example.com\n/", "cannot contain spaces or control characters"),
    ("http://%31%32%37.0.0.1/", "cannot be percent-encoded"),
    ("http://[fe80::1%25eth0]/", "zone index"),
    ("http://[::1/", "it is not a URL"),
    ("http://[::1]x/", "not in brackets"),
    ("http://hooks..example.com/", "is not a valid host name"),
    ("http://hooks.exa$mple.com/", "is not a valid host name"),
    ("http://" + "a" * 64 + ".example.com/", "is not a valid host name"),
]

PUBLIC_URLS = [
    "https://hooks.example.com/stripe",
    "https://HOOKS.Example.com./stripe",
    "http://93.184.216.34/hooks",
    "https://[2606:4700:4700::1111]/hooks",
    "https://hooks.example.com:8443/a?b=c",
    "https://b\u00fccher.example/hooks",
    "http://[::ffff:8.8.8.8]/hooks",
    "https://1password.example/hooks",
    "http://hooks.example.com:/stripe",  # an empty port is the default one
]


def refusal(url: str, policy: UrlPolicy) -> UrlRefused:
    with pytest.raises(UrlRefused) as info:
        target(url, policy)
    return info.value


@pytest.mark.parametrize(("url", "says", "private_ok"), NOT_PUBLIC)
def test_a_strict_server_refuses_every_target_that_is_not_public(url: str, says: str, private_ok: bool) -> None:
    refused = refusal(url, PUBLIC)

    assert says in refused.reason
    assert isinstance(refused, ParamError)
    assert (refused.param, refused.code) == ("url", "url_invalid")
    assert refused.message.startswith(f"Invalid URL: {url} (")
    assert "ARREARS_WEBHOOK_ALLOW_PRIVATE" in refused.message


@pytest.mark.parametrize(("url", "says", "private_ok"), NOT_PUBLIC)
def test_allowing_private_networks_lets_through_loopback_and_private_ranges_only(
        url: str, says: str, private_ok: bool) -> None:
    if private_ok:
        assert target(url, PRIVATE).host
    else:
        assert says in refusal(url, PRIVATE).reason


@pytest.mark.parametrize(("url", "says", "private_ok"), NOT_PUBLIC)
def test_an_open_server_takes_any_well_formed_url_loopback_included(url: str, says: str, private_ok: bool) -> None:
    assert target(url, OPEN).host


@pytest.mark.parametrize("policy", [OPEN, PUBLIC, PRIVATE], ids=lambda p: p.reach)
@pytest.mark.parametrize(("url", "says"), MALFORMED)
def test_malformed_urls_and_disguised_ipv4_addresses_are_refused_on_every_server(
        url: str, says: str, policy: UrlPolicy) -> None:
    refused = refusal(url, policy)

    assert says in refused.reason
    assert (refused.param, refused.code) == ("url", "url_invalid")
    assert "ARREARS_WEBHOOK_ALLOW_PRIVATE" not in refused.message  # nothing an operator could allow


@pytest.mark.parametrize("policy", [OPEN, PUBLIC, PRIVATE], ids=lambda p: p.reach)
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_targets_are_taken_by_every_server(url: str, policy: UrlPolicy) -> None:
    assert target(url, policy).host


def test_a_long_url_is_shown_cut_in_the_message() -> None:
    refused = refusal("http://127.0.0.1/" + "x" * 1000, PUBLIC)

    assert len(refused.message) < 600 and "x" * 150 + "..." in refused.message


# --- the parsed target ------------------------------------------------------------------------------

def test_the_target_keeps_host_port_and_path_and_can_be_addressed_to_a_checked_ip() -> None:
    t = parse("https://Hooks.Example.com:8443/stripe/events?account=1#frag")

    assert (t.scheme, t.host, t.port, t.path, t.address) == ("https", "hooks.example.com", 8443,
                                                            "/stripe/events?account=1", None)
    assert t.host_header == "hooks.example.com:8443"
    assert t.url_for(ip_address("93.184.216.34")) == "https://93.184.216.34:8443/stripe/events?account=1"
    assert t.url_for(ip_address("2606:4700::1")) == "https://[2606:4700::1]:8443/stripe/events?account=1"


def test_a_default_port_is_left_out_of_the_host_header() -> None:
    assert parse("https://hooks.example.com").host_header == "hooks.example.com"
    assert parse("https://hooks.example.com").path == "/"
    assert parse("http://[2606:4700::1]/x").host_header == "[2606:4700::1]"
    assert parse("http://[2606:4700::1]:8080/x").host_header == "[2606:4700::1]:8080"
    assert parse("https://b\u00fccher.example/").host == "xn--bcher-kva.example"


# --- names: every address they resolve to is checked ------------------------------------------------

def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        if host not in table:
            raise OSError(f"{host}: Name or service not known")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(("addresses", "says"), [
    (["127.0.0.1"], "hooks.example.com resolves to a loopback address"),
    (["::1"], "resolves to a loopback address"),
    (["169.254.169.254"], "resolves to a cloud metadata address"),
    (["93.184.216.34", "10.0.0.7"], "resolves to a private address"),  # one bad address is enough
    (["2606:4700::1", "fd00::1"], "resolves to a unique-local (private) address"),
    (["::ffff:127.0.0.1"], "resolves to a loopback address (IPv4-mapped 127.0.0.1)"),
])
def test_a_name_that_resolves_to_a_non_public_address_is_refused_on_a_strict_server(
        addresses: list[str], says: str) -> None:
    fake = resolver({"hooks.example.com": addresses})

    with pytest.raises(UrlRefused) as info:
        asyncio.run(check_url("https://hooks.example.com/stripe", PUBLIC, fake))

    assert says in info.value.reason and info.value.param == "url"
    assert fake.calls == [("hooks.example.com", 443)]  # type: ignore[attr-defined]
    assert not any(a in info.value.message for a in addresses if a not in says)  # the addresses stay private


def test_a_name_that_resolves_to_public_addresses_only_is_accepted() -> None:
    fake = resolver({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]})

    asyncio.run(check_url("https://hooks.example.com/stripe", PUBLIC, fake))


def test_a_name_that_does_not_resolve_yet_is_accepted_and_left_to_the_delivery_check() -> None:
    asyncio.run(check_url("https://not-yet.example.com/stripe", PUBLIC, resolver({})))


def test_allowing_private_networks_accepts_a_name_that_resolves_to_one_but_never_to_metadata() -> None:
    fake = resolver({"billing.corp.example": ["10.1.2.3"], "sneaky.example.com": ["169.254.169.254"]})

    asyncio.run(check_url("http://billing.corp.example/hooks", PRIVATE, fake))
    with pytest.raises(UrlRefused, match="cloud metadata address"):
        asyncio.run(check_url("http://sneaky.example.com/", PRIVATE, fake))


def test_an_open_server_does_not_resolve_names_at_all() -> None:
    fake = resolver({"hooks.example.com": ["127.0.0.1"]})

    asyncio.run(check_url("http://hooks.example.com/", OPEN, fake))

    assert fake.calls == []  # type: ignore[attr-defined]


def test_check_addresses_passes_an_empty_list_and_public_ones() -> None:
    parsed = parse("https://hooks.example.com/")

    check_addresses("https://hooks.example.com/", parsed, [], PUBLIC)
    check_addresses("https://hooks.example.com/", parsed, [ip_address("93.184.216.34")], PUBLIC)


# --- any text at all: a refusal or a target, never another exception --------------------------------

@given(st.one_of(
    st.text(max_size=80),
    st.builds(lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
              st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
              st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.from_regex(r"[0-9a-fx.:\[\]@%]{0,30}",
                                                                                         fullmatch=True),
              st.sampled_from(["", ":", ":80", ":99999", ":0", ":x"]),
              st.sampled_from(["", "/", "/a?b=c", "#f"])),
))
@settings(max_examples=400, deadline=None)
def test_any_text_is_either_a_target_or_a_url_refusal(url: str) -> None:
    for policy in (OPEN, PUBLIC, PRIVATE):
        try:
            parsed = target(url, policy)
        except UrlRefused as refused:
            assert refused.param == "url" and refused.reason
        else:
            assert parsed.scheme in ("http", "https") and 0 < parsed.port < 65536
