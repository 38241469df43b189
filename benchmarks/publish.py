"""`rspp bundle publish` to an OCI image layout and to a loopback registry, against `rspp
check` (the gate publish runs first) and `skopeo copy`; `rspp bundle verify` of one bundle;
the imports a verify pays for.

    python3 benchmarks/publish.py [--bundles 100] [--repeat 3] [--verify-runs 5] [--keep DIR]

Builds the synthetic repository (benchmarks/generate.py: N specs, N bundles), builds its
derived files, locks it, commits it to a real git repository (`.rspp/` excluded) and makes an
offline key pair and a trust policy (`rspp keygen --policy .rspp/trust.yaml`). Starts Debian's
`docker-registry` on 127.0.0.1 on a free port, storing in the temporary folder. Then times
whole processes, `--repeat` rounds: `rspp check` (the anchor), `rspp bundle publish` into a
fresh `.rspp/store`, the same command again (every version already there), `rspp bundle
publish --to oci://127.0.0.1:PORT/bench/rN` (a new repository each round) and `skopeo copy`
of the N bundle manifests from the layout to the registry (one process per bundle; without
`--no-skopeo`). After the rounds: `rspp bundle verify` of one bundle from the layout, with the
trusted-index state removed before each run and kept; `rspp --version`; Python importing the
CLI with and without the verify modules; one `-X importtime` run of the verify. Writes
benchmarks/out/publish.json. Asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import OUT, timed  # noqa: E402
from generate import generate  # noqa: E402

RSPP = [sys.executable, "-m", "rspp"]
IMPORT_FLOOR_MS = 5.0
HEAVY = ("sigstore", "securesystemslib", "cryptography", "oras", "requests", "urllib3",
         "pydantic", "typer", "yaml")
REGISTRY_CONFIG = """\
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)


def _run(cmd: list[str], cwd: Path | None = None) -> str:
    """stdout of a step that must succeed (stops the benchmark otherwise)."""
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}\n{done.stderr[-2000:]}")
    return done.stdout


def prepare(root: Path, bundles: int, seed: int) -> None:
    """The committed repository of ``bundles`` specs and bundles, with key and policy."""
    generate(root, bundles, seed)
    _run([*RSPP, "build", "--root", str(root)])
    _run([*RSPP, "lock", "--root", str(root)])
    _git(root, "init", "-q", "-b", "main")
    (root / ".git" / "info" / "exclude").write_text("/.rspp/\n", encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _run([*RSPP, "keygen", "--root", str(root), "--policy", ".rspp/trust.yaml"], cwd=root)


def _free_port() -> int:
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


@contextmanager
def registry(tmp: Path) -> Iterator[str]:
    """A fresh docker-registry on 127.0.0.1, storing under ``tmp``; yields HOST:PORT."""
    binary = shutil.which("docker-registry")
    if binary is None:
        raise SystemExit("docker-registry is not installed (Debian package docker-registry)")
    storage = tmp / "registry-storage"
    storage.mkdir()
    port = _free_port()
    config = tmp / "registry.yml"
    config.write_text(REGISTRY_CONFIG.format(root=storage, port=port), encoding="utf-8")
    with (tmp / "registry.log").open("wb") as log:
        process = subprocess.Popen([binary, "serve", str(config)], stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"docker-registry did not start on port {port}")
                time.sleep(0.02)
            yield f"127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def publish_cmd(root: Path, to: str | None = None) -> list[str]:
    return [*RSPP, "bundle", "publish", "--root", str(root), "--sign", "key",
            "--key", str(root / ".rspp" / "keys" / "rspp.key"),
            *(["--to", to] if to is not None else [])]


def bundle_tags(store: Path) -> list[str]:
    """The bundle tags of an OCI image layout (not the index tag, not referrers tags)."""
    index = json.loads((store / "index.json").read_text(encoding="utf-8"))
    names = (m.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
             for m in index["manifests"])
    return sorted(t for t in names if t and t != "rspp-index" and not t.startswith("sha256-"))


def skopeo_copy(root: Path, host: str, repository: str, tags: list[str]) -> float:
    """Wall-clock seconds of one ``skopeo copy`` process per tag, layout -> registry."""
    binary = shutil.which("skopeo")
    assert binary is not None
    start = time.perf_counter()
    for tag in tags:
        timed([binary, "--insecure-policy", "copy", "--quiet", "--preserve-digests",
               "--dest-tls-verify=false", f"oci:{root / '.rspp' / 'store'}:{tag}",
               f"docker://{host}/{repository}:{tag}"])
    return time.perf_counter() - start


def importtime(cmd: list[str]) -> tuple[list[dict[str, Any]], dict[str, float], float]:
    """One ``-X importtime`` run of ``cmd`` (a ``python -m rspp ...`` command): every module
    whose cumulative import time is at least IMPORT_FLOOR_MS (name, depth, cumulative ms), the
    self time summed per top-level package (ms) and the sum of every self time (ms)."""
    done = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"-X importtime {' '.join(cmd)} exited {done.returncode}")
    rows: list[dict[str, Any]] = []
    packages: dict[str, float] = {}
    total = 0.0
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$", line)
        if m is None:
            continue
        own, cumulative = int(m[1]) / 1000, int(m[2]) / 1000
        name, depth = m[4], len(m[3]) // 2
        total += own
        top = name.split(".")[0]
        packages[top] = packages.get(top, 0.0) + own
        if cumulative >= IMPORT_FLOOR_MS:
            rows.append({"module": name, "depth": depth, "cumulative_ms": round(cumulative, 1)})
    rows.sort(key=lambda r: -float(r["cumulative_ms"]))
    return rows, packages, total


def median_of(runs: int, cmd: list[str], before: Any = None) -> float:
    """Median wall-clock seconds of ``runs`` runs after one untimed one."""
    times = []
    for i in range(runs + 1):
        if before is not None:
            before()
        t = timed(cmd)
        if i:
            times.append(t)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--verify-runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-skopeo", action="store_true", help="skip the skopeo anchor")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    common.as_installed()
    n, runs = args.bundles, max(args.verify_runs, 5)
    use_skopeo = not args.no_skopeo and shutil.which("skopeo") is not None
    with tempfile.TemporaryDirectory(prefix="rspp-bench-publish-") as tmp:
        root = args.keep or Path(tmp) / "repo"
        prepare(root, n, args.seed)
        store = root / ".rspp" / "store"
        state = root / ".rspp" / "trusted-index.json"
        rounds: dict[str, list[float]] = {"check": [], "layout": [], "layout_again": [],
                                          "registry": [], "skopeo": []}
        with registry(Path(tmp)) as host:
            for i in range(args.repeat):
                rounds["check"].append(timed([*RSPP, "check", "--root", str(root)]))
                shutil.rmtree(store, ignore_errors=True)
                rounds["layout"].append(timed(publish_cmd(root)))
                rounds["layout_again"].append(timed(publish_cmd(root)))
                rounds["registry"].append(
                    timed(publish_cmd(root, f"oci://{host}/bench/r{i}")))
                if use_skopeo:
                    rounds["skopeo"].append(skopeo_copy(root, host, f"bench/skopeo{i}",
                                                        bundle_tags(store)))
        published = json.loads(_run([*publish_cmd(root), "--format", "json"]))["bundles"]
        ref = published[0]["ref"]
        verify = [*RSPP, "bundle", "verify", ref, "--root", str(root), "--policy",
                  str(root / ".rspp" / "trust.yaml")]
        verify_fresh = median_of(runs, verify, lambda: state.unlink(missing_ok=True))
        verify_kept = median_of(runs, verify)
        version = median_of(runs, [*RSPP, "--version"])
        cli_only = median_of(runs, [sys.executable, "-c", "import rspp.cli.main"])
        verify_mods = "rspp.commands.verify, rspp.release.verify, rspp.release.trust, " \
                      "rspp.release.sign"
        mods_only = median_of(runs, [sys.executable, "-c", f"import {verify_mods}"])
        cli_and_mods = median_of(runs, [sys.executable, "-c",
                                        f"import rspp.cli.main, {verify_mods}"])
        state.unlink(missing_ok=True)
        modules, packages, total = importtime(verify)
    med = {k: statistics.median(v) for k, v in rounds.items() if v}
    result: dict[str, Any] = {
        "bundles": n, "repeat": args.repeat, "verify_runs": runs,
        "machine": {"python": platform.python_version(), "nproc": os.cpu_count()},
        "check_s": round(med["check"], 3),
        "publish_layout_s": round(med["layout"], 3),
        "publish_layout_bundles_per_s": round(n / med["layout"], 1),
        "publish_layout_again_s": round(med["layout_again"], 3),
        "publish_registry_s": round(med["registry"], 3),
        "publish_registry_bundles_per_s": round(n / med["registry"], 1),
        "publish_layout_minus_check_ms_per_bundle":
            round((med["layout"] - med["check"]) * 1000 / n, 1),
        "publish_registry_minus_check_ms_per_bundle":
            round((med["registry"] - med["check"]) * 1000 / n, 1),
        "check_share_of_layout_publish": round(med["check"] / med["layout"], 3),
        "check_share_of_registry_publish": round(med["check"] / med["registry"], 3),
        "skopeo_copy_s": round(med["skopeo"], 3) if "skopeo" in med else None,
        "skopeo_copy_bundles_per_s": round(n / med["skopeo"], 1) if "skopeo" in med else None,
        "verify_ref": ref,
        "verify_state_removed_ms": round(verify_fresh * 1000, 1),
        "verify_state_kept_ms": round(verify_kept * 1000, 1),
        "version_ms": round(version * 1000, 1),
        "import_cli_ms": round(cli_only * 1000, 1),
        "import_verify_modules_ms": round(mods_only * 1000, 1),
        "import_cli_and_verify_modules_ms": round(cli_and_mods * 1000, 1),
        "verify_importtime_total_ms": round(total, 1),
        "verify_importtime_by_package_ms": {
            k: round(v, 1) for k, v in sorted(packages.items(), key=lambda kv: -kv[1])
            if v >= IMPORT_FLOOR_MS or k in HEAVY},
        "verify_imports_heavy": sorted(k for k in packages if k in HEAVY),
        "verify_importtime_over_5ms": modules,
        "rounds_s": {k: [round(x, 3) for x in v] for k, v in rounds.items()},
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "publish.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    summary(result)
    return 0


def summary(r: dict[str, Any]) -> None:
    """The figures for people; the JSON has the rounds and every module."""
    n = r["bundles"]
    print(f"{n} bundles, medians of {r['repeat']} rounds (Python {r['machine']['python']}, "
          f"{r['machine']['nproc']} cores)")
    print(f"  rspp check (the gate)          {r['check_s']:8.3f} s")
    print(f"  publish -> layout              {r['publish_layout_s']:8.3f} s  "
          f"{r['publish_layout_bundles_per_s']:7.1f} bundles/s  "
          f"({r['publish_layout_minus_check_ms_per_bundle']} ms/bundle above the gate)")
    print(f"  publish -> layout, all there   {r['publish_layout_again_s']:8.3f} s")
    print(f"  publish -> registry            {r['publish_registry_s']:8.3f} s  "
          f"{r['publish_registry_bundles_per_s']:7.1f} bundles/s  "
          f"({r['publish_registry_minus_check_ms_per_bundle']} ms/bundle above the gate)")
    if r["skopeo_copy_s"] is not None:
        print(f"  skopeo copy layout -> registry {r['skopeo_copy_s']:8.3f} s  "
              f"{r['skopeo_copy_bundles_per_s']:7.1f} bundles/s  (one process per bundle)")
    print(f"verify {r['verify_ref']}, medians of {r['verify_runs']} runs")
    print(f"  state removed before each run  {r['verify_state_removed_ms']:8.1f} ms")
    print(f"  state kept                     {r['verify_state_kept_ms']:8.1f} ms")
    print(f"  rspp --version                 {r['version_ms']:8.1f} ms")
    print(f"  import rspp.cli.main           {r['import_cli_ms']:8.1f} ms")
    print(f"  import the verify modules      {r['import_verify_modules_ms']:8.1f} ms")
    print(f"  import both                    {r['import_cli_and_verify_modules_ms']:8.1f} ms")
    print(f"  -X importtime of a verify: {r['verify_importtime_total_ms']} ms in all; "
          f"heavy packages imported: {', '.join(r['verify_imports_heavy']) or 'none'}")
    for name, ms in r["verify_importtime_by_package_ms"].items():
        print(f"    {name:30} {ms:8.1f} ms (self times summed)")
    print(f"wrote {OUT / 'publish.json'}")


if __name__ == "__main__":
    raise SystemExit(main())
