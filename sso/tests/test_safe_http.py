"""sso.safe_http: the address a connection reaches is checked, not only what the name resolved to beforehand."""

import socket
import threading
from collections.abc import Iterator

import pytest

from sso import safe_http

PUBLIC = "93.184.216.34"  # a public address (example.com's), never connected to here


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP server that records what reaches it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(1024))
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    server.close()


def rebinding(monkeypatch: pytest.MonkeyPatch, host: str, port: int) -> list[str]:
    """``host`` resolves to a public address the first time and to 127.0.0.1 after (DNS rebinding)."""
    real = socket.getaddrinfo
    answers: list[str] = []

    def getaddrinfo(name: object, *args: object, **kwargs: object) -> object:
        if name != host:
            return real(name, *args, **kwargs)  # type: ignore[arg-type]
        address = PUBLIC if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_name_that_resolves_again_to_a_loopback_address_is_refused_before_anything_is_sent(
    settings: object, monkeypatch: pytest.MonkeyPatch, listener: tuple[int, list[bytes]]
) -> None:
    settings.SSO_ALLOW_LOCAL = False  # type: ignore[attr-defined]  # production
    port, received = listener
    answers = rebinding(monkeypatch, "idp.rebind.example", port)
    with pytest.raises(safe_http.UnsafeUrl, match="private, loopback or reserved"):
        safe_http.get(f"https://idp.rebind.example:{port}/.well-known/openid-configuration")
    assert answers == [PUBLIC, "127.0.0.1"]  # the check saw a public address; the connection reached loopback
    assert b"".join(received) == b""  # no TLS hello, no request: the socket was closed at once


def test_with_local_idps_allowed_another_name_that_resolves_to_loopback_is_still_refused(
    settings: object, monkeypatch: pytest.MonkeyPatch, listener: tuple[int, list[bytes]]
) -> None:
    # SSO_ALLOW_LOCAL lets 127.0.0.1 and localhost be reached by those names, never another name that happens to
    # resolve there.
    settings.SSO_ALLOW_LOCAL = True  # type: ignore[attr-defined]
    port, received = listener
    rebinding(monkeypatch, "idp.rebind.example", port)
    with pytest.raises(safe_http.UnsafeUrl):
        safe_http.get(f"https://idp.rebind.example:{port}/metadata")
    assert b"".join(received) == b""


def test_local_names_still_reach_a_local_idp_where_allowed(settings: object, listener: tuple[int, list[bytes]]) -> None:
    settings.SSO_ALLOW_LOCAL = True  # type: ignore[attr-defined]  # development and the tests' IdPs
    port, received = listener
    with pytest.raises(Exception) as error:  # the listener answers nothing: a connection error, not UnsafeUrl
        safe_http.get(f"http://127.0.0.1:{port}/metadata")
    assert not isinstance(error.value, safe_http.UnsafeUrl)
    assert received and received[0].startswith(b"GET /metadata")
