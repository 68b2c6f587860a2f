"""The DNS TXT look-up behind domain verification, behind an interface so tests use a fake resolver."""

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class TxtResolver(Protocol):
    def txt(self, name: str) -> list[str]:
        """The TXT strings published at ``name`` (empty when none or the name does not exist)."""
        ...


class DnsPythonResolver:
    """The system's resolvers (/etc/resolv.conf) through dnspython."""

    def txt(self, name: str) -> list[str]:
        import dns.exception
        import dns.resolver

        try:
            answer = dns.resolver.resolve(name, "TXT", lifetime=5.0)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
            return []
        except dns.exception.Timeout:
            return []
        # A TXT record may be split into several strings of up to 255 bytes: they form one value.
        return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


class FakeResolver:
    """For tests: ``FakeResolver.records["example.com"] = ["selfservice-verification=..."]``."""

    records: dict[str, list[str]] = {}

    def txt(self, name: str) -> list[str]:
        return list(self.records.get(name.rstrip(".").lower(), []))


def resolver() -> TxtResolver:
    resolver_class: type[TxtResolver] = import_string(
        getattr(settings, "SSO_TXT_RESOLVER", "sso.dns.DnsPythonResolver")
    )
    return resolver_class()
