"""Where a delivery may go: checked when an endpoint is saved, and after DNS resolution before every attempt.

Production sends only to `https://` URLs whose host resolves to public addresses: never to private,
loopback, link-local, shared (CGNAT), multicast or reserved ones, whatever a DNS answer says today, so an
endpoint cannot be pointed at the service's own network. Development also allows loopback hosts, plain
`http://` included, for a receiver on the developer's machine. The connection then goes to the very
address that was checked (no second lookup a DNS rebinding could change).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

_LOOPBACK_NAMES = ("localhost", "localhost.")


class TargetRefused(ValueError):
    """The URL, or what its host resolves to, is not a place deliveries may go; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (the TLS server name and the Host header)
    port: int
    path: str  # path and query, as sent in the request line


def parse(url: str, *, production: bool) -> Target:
    """The static rules of a URL (no DNS): scheme, form, and a literal address's kind."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("Not a URL with a valid host and port.") from None
    if parts.scheme not in ("https", "http"):
        raise TargetRefused("Use an https:// URL.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Leave the user name and password out of the URL.")
    if parts.fragment:
        raise TargetRefused("Leave the #fragment out: it is never sent.")
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise TargetRefused("The URL must not contain spaces or control characters.")
    try:  # an internationalised name as DNS and certificates spell it (xn--...)
        host = parts.hostname.encode("idna").decode("ascii") if not parts.hostname.isascii() else parts.hostname
    except UnicodeError:
        raise TargetRefused("The host name is not a valid internationalised domain name.") from None
    loopback_name = host.lower() in _LOOPBACK_NAMES
    literal = _literal(host)
    if production and parts.scheme != "https":
        raise TargetRefused("Use an https:// URL: production sends only over TLS.")
    if literal is not None:
        allowed_address(literal, production=production, scheme=parts.scheme)
    elif loopback_name:
        if production:
            raise TargetRefused("localhost is not reachable from a deployed service; use a public https URL.")
    elif parts.scheme == "http":
        raise TargetRefused("Plain http:// is allowed only to loopback hosts (127.0.0.1, localhost), in "
                            "development; use https://.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port or (443 if parts.scheme == "https" else 80), path=path)


# IPv6 ranges that carry an IPv4 address, which is what a connection there reaches: NAT64 (RFC 6052, 8215)
# and the deprecated IPv4-compatible form. IPv4-mapped, 6to4 and Teredo have their own attributes.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Refused whatever Python's is_global says of them (its answers changed between 3.11 patch releases).
_NEVER = tuple(ipaddress.ip_network(net) for net in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32", "100::/64"))


def embedded_ipv4(address):
    """The IPv4 address an IPv6 one reaches through a translation or tunnel, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
        if any(address in net for net in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def allowed_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, production: bool,
                    scheme: str) -> None:
    """Refuse an address deliveries may not go to."""
    address = embedded_ipv4(address)
    if address.is_loopback and not production:
        return
    if scheme == "http":
        raise TargetRefused(f"Plain http:// is allowed only to loopback addresses in development; {address} is not "
                            "one.")
    if address.is_multicast or not address.is_global or any(address in net for net in _NEVER
                                                            if net.version == address.version):
        kind = ("loopback" if address.is_loopback else "link-local" if address.is_link_local
                else "private" if address.is_private else "not public")
        raise TargetRefused(f"{address} is a {kind} address; deliveries go only to public addresses.")


def resolve(target: Target, *, production: bool, lookup=socket.getaddrinfo) -> str:
    """The address to connect to: every address the host resolves to must be allowed (one bad answer
    refuses the lot, so a name cannot mix a public address with an internal one)."""
    literal = _literal(target.host)
    if literal is not None:
        allowed_address(literal, production=production, scheme=target.scheme)
        return str(literal)
    try:
        answers = lookup(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise TargetRefused(f"{target.host} does not resolve ({getattr(error, 'strerror', None) or error}).") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        allowed_address(address, production=production, scheme=target.scheme)
        addresses.append(str(address))
    if not addresses:
        raise TargetRefused(f"{target.host} resolves to no address.")
    return addresses[0]


def _literal(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
