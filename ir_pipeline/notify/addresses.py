"""Where a notice may go: to the internet, never inside the network the deliverer runs in.

An endpoint URL comes from a person, and the deliverer runs next to the database: aimed at
``127.0.0.1:5432``, a cloud's metadata service or a router, a "webhook" would be a way to reach
what no user may reach. So the host is resolved and every address it resolves to must be a
public one: loopback, private, link-local (where cloud metadata lives), unique-local, multicast,
carrier-grade NAT, documentation and other reserved ranges are refused, and so are IPv6 forms
that carry such an IPv4 address (mapped, 6to4, Teredo). The check runs when an endpoint is added
and again before every send (a name's addresses can change), and the request then goes to the
very address that was checked, so a second lookup cannot swap it.

An admin who runs a relay on the deliverer's own machine or network names its range in
``IRP_NOTIFY_ALLOW`` (``127.0.0.1/32``, or several, comma-separated).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass

import httpx

from ir_pipeline.errors import Invalid

ALLOW_ENV = "IRP_NOTIFY_ALLOW"
#: Names of cloud metadata services, refused even where they do not resolve.
METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed() -> list[Network]:
    text = os.environ.get(ALLOW_ENV, "")
    networks: list[Network] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise Invalid(
                f"{ALLOW_ENV}: {part[:60]!r} is not an address range such as 127.0.0.1/32"
            ) from None
    return networks


def _embedded(ip: IP) -> IP:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo), else itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def kind_of(ip: IP) -> str | None:
    """Why ``ip`` is not a public address, or ``None`` when it is one."""
    inner = _embedded(ip)
    for candidate in (inner, ip):
        if candidate.is_loopback:
            return "a loopback address"
        if candidate.is_link_local:
            return "a link-local address (where cloud metadata services answer)"
        if candidate.is_multicast:
            return "a multicast address"
        if candidate.is_unspecified:
            return "an unspecified address"
        if isinstance(candidate, ipaddress.IPv6Address) and candidate in ipaddress.ip_network("fc00::/7"):
            return "a unique-local address"
        if candidate.is_private:
            return "a private address"
        if not candidate.is_global or candidate.is_reserved:
            return "a reserved or shared address"
    return None


class Unresolved(Invalid):
    """The host has no address now: nothing can be sent to it, and nothing checked yet."""


def _resolve(host: str, port: int) -> list[IP]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unresolved(f"cannot resolve the endpoint's host {host[:80]!r} ({error})", field="url") from None
    found: list[IP] = []
    for *_rest, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    return found


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: the address to connect to and how to name the host to it."""

    url: httpx.URL
    address: str
    headers: dict[str, str]
    extensions: dict[str, str]


def check(url: str) -> Target:
    """Resolve ``url``'s host and refuse it unless every address is public (or allowed).

    Raises :class:`Unresolved` when the name has no address now (added offline, say): an
    endpoint may still be added then, and every send checks it again."""
    parsed = httpx.URL(url)
    host = parsed.host.lower().rstrip(".")
    if host in METADATA_NAMES:
        raise Invalid(f"{host} is a cloud metadata service: notices never go there", field="url")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses:
        raise Unresolved(f"the endpoint's host {host[:80]!r} has no address", field="url")
    ranges = allowed()
    for ip in addresses:
        if any(ip in network for network in ranges):
            continue
        why = kind_of(ip)
        if why is not None:
            raise Invalid(
                f"the endpoint's host {host[:80]!r} is {why}: notices go to public addresses only"
                f" (an admin allows a local relay's range with {ALLOW_ENV}, e.g. 127.0.0.1/32)",
                field="url",
            )
    first = addresses[0]
    netloc = parsed.netloc.decode("ascii")
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return Target(parsed.copy_with(host=str(first)), str(first), {"Host": netloc}, extensions)
