"""A :class:`rspp.release.oci.Store` on an OCI distribution registry (ADR 0008).

The HTTP API is the OCI Distribution Specification v1.1 ("Pulling", "Pushing", "Content
discovery": ``/v2/<name>/blobs/<digest>``, ``/v2/<name>/blobs/uploads/``,
``/v2/<name>/manifests/<reference>``, ``/v2/<name>/tags/list`` with RFC 8288 ``Link``
pagination). oras-py's :class:`oras.provider.Registry` holds the HTTP session and answers
authentication challenges (bearer tokens); this module sends the requests itself so that
each has a timeout, redirects are judged, and every body is read with a size cap and
checked against the digest asked for.

The network lives here and nowhere else in rspp; oras and requests are imported only when a
store is made, so commands that never publish never pay for them.

Rules kept on every request:

* plain ``http`` only to a loopback host (``127.0.0.1``, ``::1``, ``localhost``), ``https``
  with verified TLS otherwise, also for redirects and token endpoints;
* credentials only from ``RSPP_REGISTRY_USERNAME`` / ``RSPP_REGISTRY_PASSWORD`` (never
  ``~/.netrc`` nor a docker config), never written into a message;
* a manifest, tag list or upload never follows a redirect to another origin; a blob may
  (registries hand blobs to storage) but its bytes are still checked, and the
  ``Authorization`` header is never sent to the other origin.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import os
import re
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urljoin, urlsplit

from rspp.core.errors import UsageError
from rspp.release.oci import (
    INDEX,
    MANIFEST,
    MAX_BLOB,
    MAX_MANIFEST,
    ReleaseError,
    StoreError,
    is_digest,
    is_tag,
    load_json,
    sha256,
)

USERNAME_ENV: Final = "RSPP_REGISTRY_USERNAME"
PASSWORD_ENV: Final = "RSPP_REGISTRY_PASSWORD"

CONNECT_TIMEOUT: Final = 10.0
"""Seconds to open a connection."""
READ_TIMEOUT: Final = 60.0
"""Seconds one socket read may wait, and the most a whole request (body included) may take."""

LOOPBACK: Final = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_TAG_PAGES: Final = 1000
"""Pages of ``tags/list`` followed before giving up (a registry looping its ``Link``)."""
MAX_REDIRECTS: Final = 5
RETRIES: Final = 3
"""Times a read (GET, HEAD) answered 500, 502, 503 or 504 is tried again."""
_TRANSIENT: Final = frozenset({500, 502, 503, 504})
_ACCEPT: Final = f"{MANIFEST}, {INDEX}"
_CHUNK: Final = 64 * 1024

# Distribution spec, "Pulling manifests": the repository name grammar.
_COMPONENT: Final = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_REPOSITORY: Final = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_HOSTNAME: Final = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
_LINK_NEXT: Final = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


class RegistryUrlError(UsageError):
    """An ``oci://`` location rspp refuses: ``code`` ``REL003``."""

    code: Final = "REL003"


def parse_oci(url: str) -> tuple[str, int | None, str]:
    """Split ``oci://HOST[:PORT]/REPO[/MORE]`` into ``(host, port or None, repository)``.

    ``host`` is a DNS name or an IP address (IPv6 in brackets in the URL, returned without
    them), lower-cased; ``repository`` follows the distribution spec's name grammar
    (``[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*``). A URL
    with user information, a query, a fragment, a control character, whitespace, a bad port
    or a repository outside the grammar raises :class:`RegistryUrlError` (code ``REL003``).
    """
    remedy = "write the store as oci://HOST[:PORT]/REPOSITORY, e.g. oci://registry.example.com/org/bundles"
    shown = _redacted(url)
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url) or not url.isascii():
        raise RegistryUrlError(f"{shown!r}: control characters, spaces or non-ASCII in a "
                               "registry URL", remedy)
    if not url.startswith("oci://"):
        raise RegistryUrlError(f"{shown!r} is not an oci:// URL", remedy)
    rest = url[len("oci://"):]
    if "@" in rest.partition("/")[0]:
        raise RegistryUrlError(f"{shown!r}: credentials do not belong in the URL",
                               f"set {USERNAME_ENV} and {PASSWORD_ENV} instead")
    if "?" in rest or "#" in rest:
        raise RegistryUrlError(f"{shown!r}: a registry URL takes no query or fragment", remedy)
    authority, slash, repository = rest.partition("/")
    host, port = _split_authority(url, authority, remedy)
    if not slash or _REPOSITORY.fullmatch(repository) is None or len(repository) > 255:
        raise RegistryUrlError(f"{url!r}: {repository!r} is not a repository name (lower-case "
                               "letters and digits separated by '.', '_', '__', '-' or '/')",
                               remedy)
    return host, port, repository


def _redacted(url: str) -> str:
    """``url`` with anything before an ``@`` in its authority, and any query or fragment
    (where tokens travel), replaced by ``***``."""
    scheme, sep, rest = url.partition("//")
    authority, slash, path = rest.partition("/")
    if sep and "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    for mark in "?#":
        if mark in path:
            path = path.partition(mark)[0] + mark + "***"
    return scheme + sep + authority + slash + path


def _split_authority(url: str, authority: str, remedy: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        inside, close, tail = authority[1:].partition("]")
        try:
            host = str(ipaddress.IPv6Address(inside)) if close else ""
        except ValueError:
            host = ""
        if not host or (tail and not tail.startswith(":")):
            raise RegistryUrlError(f"{url!r}: {authority!r} is not a host", remedy)
        port_text = tail[1:] if tail else None
    else:
        host, colon, port_text_ = authority.partition(":")
        port_text = port_text_ if colon else None
        if _HOSTNAME.fullmatch(host) is None:
            raise RegistryUrlError(f"{url!r}: {host!r} is not a host name", remedy)
        host = host.lower()
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise RegistryUrlError(f"{url!r}: {port_text!r} is not a port (1-65535)", remedy)
    return host, int(port_text)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (the only hosts rspp talks plain http to)."""
    return host.lower() in LOOPBACK


@dataclass(frozen=True, slots=True)
class _Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> _Origin:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if scheme == "https" else 80)
        return cls(scheme, host, port)

    def allowed(self) -> bool:
        return self.scheme == "https" or (self.scheme == "http" and is_loopback(self.host))


def _session_parts() -> tuple[Any, Any]:
    """For oras-py's requests session: an adapter class that refuses plain http off
    loopback and gives every request a timeout (oras's own token requests too), and an
    ``auth`` that adds nothing but stops requests from reading ``~/.netrc``."""
    import requests
    from requests.adapters import HTTPAdapter

    class _Guarded(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if not _Origin.of(request.url).allowed():
                raise requests.exceptions.InvalidURL(
                    f"plain http to {urlsplit(request.url).hostname} refused")
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = (CONNECT_TIMEOUT, READ_TIMEOUT)
            return super().send(request, *args, **kwargs)

    def no_netrc(request: Any) -> Any:  # session.auth set: requests never reads ~/.netrc
        return request

    return _Guarded, no_netrc


class RegistryStore:
    """The :class:`rspp.release.oci.Store` protocol on ``oci://host[:port]/repository``.

    ``url`` is parsed by :func:`parse_oci` (RegistryUrlError, code REL003). Every failure
    to talk to the registry raises StoreError REL003 (one line: cause and remedy); an answer
    that is not what was asked for (digest mismatch, larger than the limit, malformed)
    raises StoreError REL004. ``timeout`` (seconds) bounds each socket read and each whole
    request.
    """

    def __init__(self, url: str, *, timeout: float = READ_TIMEOUT) -> None:
        host, port, repository = parse_oci(url)
        self._host, self._port, self._repository = host, port, repository
        self._timeout = timeout
        netloc = f"[{host}]" if ":" in host else host
        if port is not None:
            netloc += f":{port}"
        self._netloc = netloc
        self._location = f"oci://{netloc}/{repository}"
        scheme = "http" if is_loopback(host) else "https"
        self._base = f"{scheme}://{netloc}/v2/{repository}"
        self._origin = _Origin.of(self._base)
        username = os.environ.get(USERNAME_ENV, "")
        password = os.environ.get(PASSWORD_ENV, "")
        self._credentials = (username, password) if username or password else None
        try:
            import oras.provider  # type: ignore[import-untyped,unused-ignore]
        except ImportError as error:  # pragma: no cover - oras is a dependency
            raise StoreError("REL003", f"cannot load oras-py: {error}",
                             "reinstall rspp with its dependencies") from error
        self._oras: Any = oras.provider.Registry(hostname=netloc, insecure=scheme == "http",
                                                 auth_backend="token")
        adapter, no_netrc = _session_parts()
        session = self._oras.session
        session.mount("https://", adapter())
        session.mount("http://", adapter())
        session.auth = no_netrc
        session.max_redirects = MAX_REDIRECTS
        if self._credentials is not None:
            self._oras.auth.set_basic_auth(*self._credentials)
        self._basic: str | None = None

    # --- the protocol ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """``oci://host[:port]/repository``."""
        return self._location

    def has_blob(self, digest: str) -> bool:
        """Whether the repository holds blob ``digest`` (HEAD; REL003 on failure)."""
        _check_digest(digest)
        response = self._send("HEAD", f"{self._base}/blobs/{digest}", follow="any")
        with contextlib.closing(response):
            if response.status_code == 404:
                return False
            self._expect(response, (200,), f"HEAD blob {digest}")
            return True

    def put_blob(self, data: bytes, digest: str) -> None:
        """Upload ``data`` as blob ``digest`` (POST then monolithic PUT); idempotent.
        StoreError REL004 when ``digest`` is not the digest of ``data``."""
        _check_digest(digest)
        if sha256(data) != digest:
            raise StoreError("REL004", f"blob data is {sha256(data)}, not {digest}",
                             "compute the digest from the bytes uploaded")
        if self.has_blob(digest):
            return
        started = self._send("POST", f"{self._base}/blobs/uploads/", follow="none",
                             headers={"Content-Length": "0"})
        with contextlib.closing(started):
            self._expect(started, (202,), f"start the upload of {digest}")
            location = started.headers.get("Location", "")
        target = urljoin(self._base + "/", location)
        if not location or _Origin.of(target) != self._origin:
            raise StoreError("REL003", f"{self._location}: the registry sent the upload of "
                             f"{digest} to another place ({_clean(location)!r})",
                             "use a registry that accepts uploads on its own address")
        target += ("&" if urlsplit(target).query else "?") + "digest=" + quote(digest)
        done = self._send("PUT", target, follow="none", data=data,
                          headers={"Content-Type": "application/octet-stream"})
        with contextlib.closing(done):
            self._expect(done, (201,), f"upload blob {digest}")
            self._check_echo(done, digest)

    def get_blob(self, digest: str, limit: int = MAX_BLOB) -> bytes:
        """Blob ``digest``: at most ``limit`` bytes, checked against ``digest`` (REL004)."""
        _check_digest(digest)
        response = self._send("GET", f"{self._base}/blobs/{digest}", follow="any",
                              stream=True)
        with contextlib.closing(response):
            self._expect(response, (200,), f"GET blob {digest}")
            return self._read(response, digest, limit, "blob")

    def put_manifest(self, data: bytes, digest: str, media_type: str) -> None:
        """PUT ``data`` as manifest ``digest`` with Content-Type ``media_type``; idempotent.
        StoreError REL004 when ``digest`` is not the digest of ``data``."""
        _check_digest(digest)
        if sha256(data) != digest:
            raise StoreError("REL004", f"manifest data is {sha256(data)}, not {digest}",
                             "compute the digest from the bytes uploaded")
        self._put_manifest(data, digest, digest, media_type)

    def get_manifest(self, digest: str, limit: int = MAX_MANIFEST) -> bytes:
        """Manifest or index ``digest``: at most ``limit`` bytes, checked against ``digest``."""
        _check_digest(digest)
        response = self._send("GET", f"{self._base}/manifests/{digest}", follow="same",
                              stream=True, headers={"Accept": _ACCEPT})
        with contextlib.closing(response):
            self._expect(response, (200,), f"GET manifest {digest}")
            return self._read(response, digest, limit, "manifest")

    def resolve(self, tag: str) -> str | None:
        """The digest tag ``tag`` names (HEAD, else GET and hash), or None on 404."""
        _check_tag(tag)
        url = f"{self._base}/manifests/{tag}"
        response = self._send("HEAD", url, follow="same", headers={"Accept": _ACCEPT})
        with contextlib.closing(response):
            if response.status_code == 404:
                return None
            self._expect(response, (200,), f"HEAD tag {tag}")
            echoed = str(response.headers.get("Docker-Content-Digest", ""))
        if is_digest(echoed):
            return echoed
        response = self._send("GET", url, follow="same", stream=True,
                              headers={"Accept": _ACCEPT})
        with contextlib.closing(response):
            if response.status_code == 404:
                return None
            self._expect(response, (200,), f"GET tag {tag}")
            return sha256(self._read(response, None, MAX_MANIFEST, "manifest"))

    def set_tag(self, tag: str, digest: str, media_type: str) -> None:
        """PUT the stored manifest ``digest`` again under ``tag`` (Content-Type
        ``media_type``); REL004 when the registry files it under another digest."""
        _check_tag(tag)
        data = self.get_manifest(digest)
        self._put_manifest(data, tag, digest, media_type)

    def tags(self) -> list[str]:
        """Every tag of the repository, sorted (``tags/list``, following ``Link`` pages);
        ``[]`` when the repository does not exist yet."""
        found: set[str] = set()
        url = f"{self._base}/tags/list"
        for _ in range(MAX_TAG_PAGES):
            response = self._send("GET", url, follow="same", stream=True)
            with contextlib.closing(response):
                if response.status_code == 404:
                    return sorted(found)
                self._expect(response, (200,), "list tags")
                body = self._read(response, None, MAX_MANIFEST, "tag list")
                link = response.headers.get("Link", "")
            found.update(self._tag_page(body))
            match = _LINK_NEXT.search(link)
            if match is None:
                return sorted(found)
            url = urljoin(url, match.group(1))
            if _Origin.of(url) != self._origin:
                raise StoreError("REL004", f"{self._location}: the tag list continues on "
                                 "another host", "use a registry that pages on its own address")
        raise StoreError("REL004", f"{self._location}: more than {MAX_TAG_PAGES} pages of tags",
                         "check the registry: its tag list does not end")

    def exclusive(self) -> AbstractContextManager[None]:
        """A context that does nothing: a registry offers no lock (ADR 0008)."""
        return contextlib.nullcontext()

    # --- HTTP ---------------------------------------------------------------------------------

    def _put_manifest(self, data: bytes, reference: str, digest: str, media_type: str) -> None:
        response = self._send("PUT", f"{self._base}/manifests/{reference}", follow="none",
                              data=data, headers={"Content-Type": media_type})
        with contextlib.closing(response):
            self._expect(response, (201,), f"PUT manifest {reference}")
            self._check_echo(response, digest)

    def _tag_page(self, body: bytes) -> list[str]:
        try:
            doc = load_json(body, "the tag list")
        except ReleaseError:
            doc = None
        listed = doc.get("tags") if isinstance(doc, dict) else None
        if listed is None and isinstance(doc, dict):
            return []
        if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
            raise StoreError("REL004", f"{self._location}: the tag list is not "
                             '{"tags": [...]}', "check the registry")
        return [t for t in listed if is_tag(t)]

    def _check_echo(self, response: Any, digest: str) -> None:
        echoed = response.headers.get("Docker-Content-Digest")
        if echoed is not None and echoed != digest:
            raise StoreError("REL004", f"{self._location}: the registry stored "
                             f"{_clean(echoed)}, not {digest}", "check the registry")

    def _send(self, method: str, url: str, *, follow: str, stream: bool = False,
              data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        """One request: authentication challenges answered (once), redirects followed as
        ``follow`` allows (``none``, ``same`` origin, ``any`` https/loopback origin)."""
        import requests

        sent = dict(headers or {})
        deadline = time.monotonic() + self._timeout
        for _ in range(MAX_REDIRECTS + 1):
            same = _Origin.of(url) == self._origin
            for attempt in range(RETRIES + 1):
                try:
                    response = self._authed(method, url, sent if same else dict(headers or {}),
                                            data, stream, same)
                except requests.exceptions.RequestException as error:
                    raise self._transport(error, url) from None
                # a read may meet a registry busy with another client's writes (distribution
                # answers 500 while a tag it reads is being replaced): try it again
                if method not in ("GET", "HEAD") or response.status_code not in _TRANSIENT \
                        or attempt == RETRIES:
                    break
                response.close()
                time.sleep(0.1 * (attempt + 1))
            if response.status_code not in (301, 302, 303, 307, 308) or follow == "none":
                response.rspp_deadline = deadline
                return response
            target = urljoin(url, response.headers.get("Location", ""))
            response.close()
            origin = _Origin.of(target)
            if not origin.allowed() or (follow == "same" and origin != self._origin):
                raise StoreError("REL003", f"{self._location}: {method} {_path(url)} was "
                                 f"redirected to {origin.scheme}://{origin.host}, which rspp "
                                 "does not follow", "check the registry URL")
            if response.status_code == 303:
                method, data = "GET", None
            url = target
        raise StoreError("REL003", f"{self._location}: more than {MAX_REDIRECTS} redirects",
                         "check the registry URL")

    def _authed(self, method: str, url: str, headers: dict[str, str], data: bytes | None,
                stream: bool, same: bool) -> Any:
        session = self._oras.session
        auth = self._oras.auth
        kwargs: dict[str, Any] = {
            "data": data, "stream": stream, "allow_redirects": False, "verify": True,
            "timeout": (CONNECT_TIMEOUT, self._timeout)}
        if _Origin.of(url).scheme == "http":
            kwargs["proxies"] = {"http": None, "https": None, "all": None}
        if same:
            if self._basic is not None:
                headers["Authorization"] = self._basic
            elif getattr(auth, "token", None):
                headers["Authorization"] = f"Bearer {auth.token}"
        response = session.request(method, url, headers=headers, **kwargs)
        if response.status_code != 401 or not same:
            return response
        challenge = response.headers.get("WWW-Authenticate", "")
        response.close()
        if challenge.lower().startswith("basic") and self._credentials is not None:
            from oras.auth.utils import (  # type: ignore[import-untyped,unused-ignore]
                get_basic_auth,
            )

            self._basic = "Basic " + get_basic_auth(*self._credentials)
            headers["Authorization"] = self._basic
        elif challenge.lower().startswith("bearer"):
            headers.pop("Authorization", None)
            try:
                headers, changed = auth.authenticate_request(response, headers, refresh=True)
            except ValueError:
                changed = False
            if not changed:
                raise self._denied()
        else:
            raise self._denied()
        response = session.request(method, url, headers=headers, **kwargs)
        if response.status_code == 401:
            response.close()
            raise self._denied()
        return response

    def _denied(self) -> StoreError:
        if self._credentials is None:
            return StoreError("REL003", f"{self._location}: the registry asks for credentials",
                              f"set {USERNAME_ENV} and {PASSWORD_ENV}")
        return StoreError("REL003", f"{self._location}: the registry refused the credentials "
                          f"in {USERNAME_ENV} and {PASSWORD_ENV}",
                          "check them and their access to the repository")

    def _transport(self, error: Exception, url: str) -> StoreError:
        import requests

        exc = requests.exceptions
        origin = _Origin.of(url)
        where = f"{origin.scheme}://{origin.host}:{origin.port}"
        if isinstance(error, exc.InvalidURL | exc.InvalidSchema) and not origin.allowed():
            return StoreError("REL003", f"{self._location}: plain http to {origin.host} "
                              "refused", "rspp uses http only on this machine; use https")
        if isinstance(error, exc.SSLError):
            return StoreError("REL003", f"{self._location}: the TLS certificate of {where} "
                              "did not verify", "check the host name and its certificate")
        if isinstance(error, exc.Timeout):
            return StoreError("REL003", f"{self._location}: {where} did not answer in time",
                              "is the registry up and reachable?")
        if isinstance(error, exc.ConnectionError):
            return StoreError("REL003", f"{self._location}: cannot connect to {where}",
                              "is the registry running, and is the host and port right?")
        return StoreError("REL003", f"{self._location}: request to {where} failed "
                          f"({type(error).__name__})", "check the registry URL")

    def _expect(self, response: Any, codes: tuple[int, ...], what: str) -> None:
        if response.status_code in codes:
            return
        detail = ""
        if response.status_code >= 400:
            with contextlib.suppress(Exception):
                raw = next(response.iter_content(4096), b"")
                errors = json.loads(raw).get("errors") or []
                first = errors[0]
                detail = f" ({_clean(str(first.get('code', '')))}: " \
                         f"{_clean(str(first.get('message', '')))})"
        remedy = {404: "check the repository and the reference",
                  403: f"check the access of {USERNAME_ENV} to the repository",
                  405: "the registry does not allow this operation (read-only?)"}.get(
            response.status_code, "check the registry and try again")
        raise StoreError("REL003", f"{self._location}: {what} answered HTTP "
                         f"{response.status_code}{detail}", remedy)

    def _read(self, response: Any, digest: str | None, limit: int, what: str) -> bytes:
        """The body, at most ``limit`` bytes, checked against ``digest`` when given."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise StoreError("REL004", f"{self._location}: the {what} {digest or ''} is "
                             f"{declared} bytes, over the limit of {limit}",
                             "check the reference; rspp refuses larger documents")
        hasher = hashlib.sha256()
        parts: list[bytes] = []
        size = 0
        deadline: float = getattr(response, "rspp_deadline", time.monotonic() + self._timeout)
        import requests

        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise StoreError("REL004", f"{self._location}: the {what} "
                                     f"{digest or ''} is over the limit of {limit} bytes",
                                     "check the reference; rspp refuses larger documents")
                if time.monotonic() > deadline:
                    raise StoreError("REL003", f"{self._location}: the {what} took more "
                                     f"than {self._timeout:g} s", "is the registry overloaded?")
                hasher.update(chunk)
                parts.append(chunk)
        except requests.exceptions.RequestException as error:
            raise self._transport(error, response.url) from None
        got = "sha256:" + hasher.hexdigest()
        if digest is not None and got != digest:
            raise StoreError("REL004", f"{self._location}: the {what} asked for as {digest} "
                             f"has digest {got}", "the registry's copy is damaged or was "
                             "replaced; publish it again")
        return b"".join(parts)


def _check_digest(digest: str) -> None:
    if not is_digest(digest):
        raise StoreError("REL004", f"{digest!r} is not a sha256 digest",
                         "name content as sha256:<64 hex digits>")


def _check_tag(tag: str) -> None:
    if not is_tag(tag):
        raise StoreError("REL004", f"{tag!r} is not an OCI tag",
                         "use [A-Za-z0-9_][A-Za-z0-9._-]{0,127} (oci.safe_tag makes one)")


def _path(url: str) -> str:
    return urlsplit(url).path


def _clean(text: str) -> str:
    """``text`` from the registry, safe to put in a one-line message."""
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in text)[:200]
