"""A real OCI registry on loopback and the ``skopeo`` client, for the publishing tests.

``registry`` starts Debian's ``docker-registry`` (CNCF distribution 2.8) on 127.0.0.1 on a
free port, storing on disk under the test's ``tmp_path``, and stops it after the test. It
yields a :class:`Registry`: ``url`` (``oci://127.0.0.1:PORT/rspp/test``), ``host``
(``127.0.0.1:PORT``, as skopeo names it) and ``storage`` (the storage root, so a test can
damage a blob). ``skopeo(...)`` runs the independent client against it.

Both start processes: a test using them is marked ``slow``. When a binary is missing the
test is skipped, naming the Debian package; under CI (``CI`` set) it fails instead, since
``.ci/run`` installs both.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from tests.helpers.release import Release, codes, copy_release, release_repo

DOCKER_REGISTRY: Final = "docker-registry"
SKOPEO: Final = "skopeo"
START_TIMEOUT: Final = 10.0
"""Seconds the registry has to answer ``GET /v2/``."""

_CONFIG: Final = """\
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""


@dataclass(frozen=True)
class Registry:
    """A running registry: ``url`` for rspp, ``host`` for skopeo, ``storage`` on disk."""

    url: str
    host: str
    repository: str
    storage: Path

    def ref(self, tag_or_digest: str) -> str:
        """skopeo's ``docker://HOST:PORT/REPO:TAG`` (or ``@sha256:...``)."""
        sep = "@" if tag_or_digest.startswith("sha256:") else ":"
        return f"docker://{self.host}/{self.repository}{sep}{tag_or_digest}"

    def blob_file(self, digest: str) -> Path:
        """Where distribution's filesystem driver keeps blob ``digest``."""
        hexa = digest.removeprefix("sha256:")
        return self.storage / "docker/registry/v2/blobs/sha256" / hexa[:2] / hexa / "data"


def need(binary: str, package: str) -> str:
    """The path of ``binary``; skip the test without it (fail under CI)."""
    found = shutil.which(binary)
    if found is None:
        message = (f"{binary} is not installed: apt-get install -y --no-install-recommends "
                   f"{package}")
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/v2/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """A fresh, empty ``docker-registry`` on 127.0.0.1 (about 0.1 s to start)."""
    binary = need(DOCKER_REGISTRY, "docker-registry")
    storage = tmp_path / "registry-storage"
    storage.mkdir()
    port = free_port()
    config = tmp_path / "registry.yml"
    config.write_text(_CONFIG.format(root=storage, port=port), encoding="utf-8")
    log = (tmp_path / "registry.log").open("wb")
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                text = (tmp_path / "registry.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"docker-registry did not start on port {port}:\n{text}",
                            pytrace=False)
            time.sleep(0.02)
        yield Registry(f"oci://127.0.0.1:{port}/rspp/test", f"127.0.0.1:{port}", "rspp/test",
                       storage)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def skopeo(command: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``skopeo --insecure-policy COMMAND`` with TLS verification off for its
    ``docker://`` references (the test registry speaks plain http), ``args`` after."""
    binary = need(SKOPEO, "skopeo")
    tls = {"copy": ["--src-tls-verify=false", "--dest-tls-verify=false"],
           "sync": ["--src-tls-verify=false", "--dest-tls-verify=false"]}.get(
        command, ["--tls-verify=false"])
    return subprocess.run([binary, "--insecure-policy", command, *tls, *args], check=check,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def published_template(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The examples in git with a key pair and a trust policy, every bundle version
    published into the layout: made once per test module."""
    made = release_repo(tmp_path_factory.mktemp("template") / "repo")
    assert codes(made.publish()) == []
    return made


@pytest.fixture
def release(published_template: Release, tmp_path: Path) -> Release:
    """A copy of ``published_template`` for one test to change. (Modules that need a
    repository with nothing published define their own ``release``.)"""
    return copy_release(published_template, tmp_path / "repo")
