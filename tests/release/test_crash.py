"""Publishing under failure, with real processes (issue 11, acceptance item 2).

1. A publish killed with SIGKILL at any point leaves the embedded store (``.rspp/store``)
   without a bundle or with all of it, and the next publish completes it. The kill is driven
   from the test only: the publish runs as a child ``python -c`` whose script wraps the
   store's file writer (``rspp.release.layout.write_atomic``) and kills its own process on
   the Nth write, before it, halfway through writing the temporary file, or after it.
   The write sequence of a full publish is recorded first (another child), so the kill
   points are named by what is being written, not by numbers that would drift.
2. Two publishers racing on one version: on one layout (serialised by its lock) and, with
   other content for the same version, on a real registry.
3. What is pushed and signed is what was checked and committed, even when the working tree
   changes while publishing.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from unittest import mock

import pytest

import rspp
from rspp.core.constants import LOCK_FILE
from rspp.release import oci
from rspp.release.layout import LayoutStore
from rspp.release.publish import current_index
from tests.helpers.cli import TODAY
from tests.helpers.cli import rspp as rspp_cli
from tests.helpers.git import commit, git
from tests.helpers.release import BUNDLES, Release, codes, copy_release, release_repo
from tests.release.conftest import Registry

pytestmark = pytest.mark.slow

STORE: Final = ".rspp/store"
SIMPLE: Final = "simple_livekit_voice_bundle@1.0.0"
CHILD_TIMEOUT: Final = 60.0

# --- child processes --------------------------------------------------------------------------

# Every child: argv[1:] = the child's own parameters, then "--", then rspp's arguments.
_PRELUDE: Final = """\
import json, os, signal, sys, time
from pathlib import Path
cut = sys.argv.index("--")
mine, args = sys.argv[1:cut], sys.argv[cut + 1:]

def gate(folder, me, wanted, timeout=15.0):
    Path(folder, me).touch()
    end = time.monotonic() + timeout
    while not all(Path(folder, w).exists() for w in wanted) and time.monotonic() < end:
        time.sleep(0.002)

def run():
    from rspp.cli.main import main
    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    sys.stdout.flush()
    os._exit(code)
"""

# The store's writes of one publish, as JSON lines in mine[0]: the path (inside the store),
# what the bytes are, and for index.json the tag being set.
_TRACE: Final = _PRELUDE + """\
import rspp.release.layout as layout
real_write, real_tag = layout.write_atomic, layout.LayoutStore.set_tag
tagging = []
out = open(mine[0], "w", encoding="utf-8")

def kind(path, data):
    if path.endswith("index.json"):
        return "tag"
    if path.endswith("oci-layout"):
        return "layout"
    try:
        doc = json.loads(data)
    except ValueError:
        return "blob"
    if not isinstance(doc, dict):
        return "blob"
    if "payloadType" in doc:
        return "envelope"
    if doc.get("mediaType") == "application/vnd.oci.image.index.v1+json":
        return "referrers"
    if "layers" in doc:
        return "manifest " + str(doc.get("artifactType"))
    if "bundles" in doc and "expires" in doc:
        return "index document"
    return "layer"

def write_atomic(path, data, *, root):
    real_write(path, data, root=root)
    rel = str(path).split(".rspp/store/", 1)[-1]
    out.write(json.dumps({"path": rel, "kind": kind(rel, data),
                          "tag": tagging[-1] if tagging and rel == "index.json" else ""})
              + "\\n")
    out.flush()

def set_tag(self, tag, digest, media_type):
    tagging.append(tag)
    try:
        real_tag(self, tag, digest, media_type)
    finally:
        tagging.pop()

layout.write_atomic = write_atomic
layout.LayoutStore.set_tag = set_tag
run()
"""

# Kill this process at the store's write number mine[0] (1-based): mine[1] is "before" (the
# write never starts), "partial" (half the bytes are in the temporary file) or "after" (the
# file has its final name). 0: never.
_KILL: Final = _PRELUDE + """\
import rspp.core.files as files
import rspp.release.layout as layout
target, mode = int(mine[0]), mine[1]
real_write, real_all = layout.write_atomic, files._write_all
count, armed = 0, False

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def write_atomic(path, data, *, root):
    global count, armed
    count += 1
    if count == target and mode == "before":
        die()
    armed = count == target and mode == "partial"
    real_write(path, data, root=root)
    if count == target and mode == "after":
        die()

def write_all(fd, data):
    if armed:
        real_all(fd, data[: len(data) // 2])
        os.fsync(fd)
        die()
    real_all(fd, data)

layout.write_atomic = write_atomic
files._write_all = write_all
run()
"""

# Two publishers that start publishing at the same moment: each waits, before its first
# bundle, until the other has finished checking (a start line in mine[0], names mine[1] and
# mine[2]). mine[3]: publish only that id@version ("-": every one). mine[4] orders the two
# around the tag of that version on a registry: "free" (no order), "first" (sets the tag and
# reads it back, then lets the other go), "second" (sets it after the first read it back).
_RACE: Final = _PRELUDE + """\
import rspp.commands.publish as commands
import rspp.release.publish as publish
folder, me, peer, only, order = mine
real_one, real_candidates = publish.publish_one, commands._candidates
started = []

def publish_one(store, candidate, *rest):
    if not started:
        started.append(1)
        gate(folder, "ready-" + me, ["ready-" + peer])
    return real_one(store, candidate, *rest)

def candidates(repo, lock, builder):
    found, problems = real_candidates(repo, lock, builder)
    return [c for c in found if only == "-" or c.packed.ref == only], problems

publish.publish_one = publish_one
commands._candidates = candidates
if order != "free":
    from rspp.release.registry import RegistryStore
    real_tag, real_resolve = RegistryStore.set_tag, RegistryStore.resolve
    tagged = []

    def set_tag(self, tag, digest, media_type):
        if tag.startswith("sha256-") or tag == "rspp-index":
            return real_tag(self, tag, digest, media_type)
        if order == "first":
            gate(folder, "at-tag-first", ["at-tag-second"])
            tagged.append(tag)
        else:
            gate(folder, "at-tag-second", ["at-tag-first", "first-read"])
        return real_tag(self, tag, digest, media_type)

    def resolve(self, tag):
        found = real_resolve(self, tag)
        if tag in tagged:
            tagged.remove(tag)
            Path(folder, "first-read").touch()
        return found

    RegistryStore.set_tag = set_tag
    RegistryStore.resolve = resolve
run()
"""

# Publish after overwriting, on the first bundle, files of the working tree: mine is
# (path, old text, new text) repeated; each file gets its first old text replaced.
_CHANGE: Final = _PRELUDE + """\
import rspp.release.publish as publish
real_one = publish.publish_one
done = []

def publish_one(store, candidate, *rest):
    if not done:
        done.append(1)
        for at in range(0, len(mine), 3):
            path, old, new = Path(mine[at]), mine[at + 1], mine[at + 2]
            text = path.read_text(encoding="utf-8")
            assert old in text, (path, old)
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return real_one(store, candidate, *rest)

publish.publish_one = publish_one
run()
"""


def _env() -> dict[str, str]:
    """The environment with the running rspp package first on the import path."""
    env = dict(os.environ)
    package = str(Path(rspp.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package, env.get("PYTHONPATH")) if p)
    return env


def child_args(script: str, mine: Sequence[str], rspp_args: Sequence[str]) -> list[str]:
    return [sys.executable, "-c", script, *mine, "--", *rspp_args]


def publish_args(release: Release, *extra: str) -> list[str]:
    return ["bundle", "publish", "--key", str(release.key), "--today", TODAY,
            "--format", "json", "--root", str(release.root), *extra]


@dataclass(frozen=True, slots=True)
class Done:
    """A child's exit code (negative: the signal that killed it) and what it printed."""

    code: int
    out: str
    err: str

    def states(self) -> dict[str, str]:
        """id@version -> state from the JSON summary (the text report may follow it)."""
        data, _ = json.JSONDecoder().raw_decode(self.out)
        return {b["ref"]: b["state"] for b in data["bundles"]}

    def summary(self) -> dict[str, Any]:
        data, _ = json.JSONDecoder().raw_decode(self.out)
        assert isinstance(data, dict)
        return data


def run_child(script: str, mine: Sequence[str], rspp_args: Sequence[str], cwd: Path) -> Done:
    proc = subprocess.run(child_args(script, mine, rspp_args), cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=CHILD_TIMEOUT,
                          stdin=subprocess.DEVNULL, check=False)
    return Done(proc.returncode, proc.stdout, proc.stderr)


def run_pair(script: str, mines: tuple[Sequence[str], Sequence[str]],
             args: tuple[Sequence[str], Sequence[str]], cwd: Path) -> tuple[Done, Done]:
    """Start two children at once; their results once both ended."""
    procs = [subprocess.Popen(child_args(script, m, a), cwd=cwd, env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL) for m, a in zip(mines, args, strict=True)]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT)
        done.append(Done(proc.returncode, out, err))
    return done[0], done[1]


# --- repositories -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The examples in git with a key pair and a trust policy; nothing published."""
    return release_repo(tmp_path_factory.mktemp("crash") / "repo")


@pytest.fixture(scope="module")
def seeded(template: Release, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """``template`` with the first two bundle versions published and a signed index (version
    1) listing only them: what an earlier release left."""
    import rspp.commands.publish as commands

    release = copy_release(template, tmp_path_factory.mktemp("seeded") / "repo")
    real = commands._candidates

    def first_two(*args: Any) -> Any:
        found, problems = real(*args)
        return found[:2], problems

    with mock.patch.object(commands, "_candidates", first_two):
        outcome = release.publish()
    assert codes(outcome) == [] and len(outcome.outcomes) == 2
    assert outcome.index is not None and outcome.index.version == 1
    return release


@dataclass(frozen=True, slots=True)
class Write:
    n: int  # 1-based
    path: str  # inside the store
    kind: str
    tag: str  # the tag index.json is written for


def trace_of(release: Release, folder: Path) -> list[Write]:
    """The store's writes, in order, of a full publish of a copy of ``release``."""
    copy = copy_release(release, folder / "repo")
    log = folder / "trace.jsonl"
    done = run_child(_TRACE, [str(log)], publish_args(copy), copy.root)
    assert done.code == 0, done.out + done.err
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [Write(n, r["path"], r["kind"], r["tag"]) for n, r in enumerate(rows, 1)]


@pytest.fixture(scope="module")
def traces(template: Release, seeded: Release,
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Write]]:
    return {"empty": trace_of(template, tmp_path_factory.mktemp("trace-empty")),
            "seeded": trace_of(seeded, tmp_path_factory.mktemp("trace-seeded"))}


def _tag(ref: str) -> str:
    return ref.replace("@", "-")


def kill_point(trace: list[Write], name: str) -> int:
    """The number of the write ``name`` names in ``trace``."""
    bundle_tags = [w for w in trace if w.kind == "tag" and w.tag in {_tag(b) for b in BUNDLES}]
    picks = {
        "first write": trace[0],
        "a layer of the first bundle": next(w for w in trace if w.kind == "layer"),
        "the first signature envelope": next(w for w in trace if w.kind == "envelope"),
        "the first referrers tag": next(w for w in trace if w.tag.startswith("sha256-")),
        "the first bundle's tag": bundle_tags[0],
        "the last bundle's tag": bundle_tags[-1],
        "the index document": next(w for w in trace if w.kind == "index document"),
        "the index's referrers tag": [w for w in trace if w.tag.startswith("sha256-")][-1],
        "the index tag (last write)": trace[-1],
    }
    found = picks[name]
    if name == "the index tag (last write)":
        assert found.tag == oci.INDEX_TAG
    return found.n


# --- what the store holds ---------------------------------------------------------------------

def _descriptors(doc: object) -> Iterator[str]:
    """The digests an OCI manifest or index names (config, layers, manifests, subject)."""
    if not isinstance(doc, dict):
        return
    for key in ("config", "subject"):
        value = doc.get(key)
        if isinstance(value, dict):
            yield str(value["digest"])
    for key in ("layers", "manifests"):
        for value in doc.get(key) or ():
            yield str(value["digest"])


def assert_consistent(store: Path) -> dict[str, str]:
    """Every blob file hashes to its name, no other file has a final name, and every tag
    names content that is wholly there (the manifest and, recursively, all it names).
    Returns tag -> digest."""
    blobs = store / "blobs" / "sha256"
    for path in sorted(blobs.iterdir()) if blobs.is_dir() else ():
        if path.name.startswith("."):
            assert path.name.endswith(".tmp"), path  # a killed write's temporary file
            continue
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path
    for path in sorted(store.iterdir()) if store.is_dir() else ():
        assert path.name in {"blobs", "index.json", "oci-layout", ".lock"} \
            or (path.name.startswith(".") and path.name.endswith(".tmp")), path
    if (store / "oci-layout").exists():
        assert json.loads((store / "oci-layout").read_bytes()) == {"imageLayoutVersion": "1.0.0"}
    if not (store / "index.json").exists():
        return {}
    index = json.loads((store / "index.json").read_bytes())
    tags = {e["annotations"][oci.REF_NAME]: e["digest"] for e in index["manifests"]}
    seen: set[str] = set()
    todo = list(tags.values())
    while todo:
        digest = todo.pop()
        if digest in seen:
            continue
        seen.add(digest)
        path = blobs / digest.removeprefix("sha256:")
        assert path.is_file(), f"{digest} is named by a tag but not stored"
        data = path.read_bytes()
        assert oci.sha256(data) == digest
        try:
            doc = json.loads(data)
        except ValueError:
            continue
        todo.extend(_descriptors(doc))
    return tags


def names(tags: Iterable[str]) -> tuple[set[str], set[str]]:
    """The tags that are not referrers tags, and those that are."""
    listed = set(tags)
    return ({t for t in listed if not t.startswith("sha256-")},
            {t for t in listed if t.startswith("sha256-")})


def assert_published_or_absent(release: Release, tags: dict[str, str]) -> dict[str, bool]:
    """Each bundle version verifies exactly when the signed index lists it (and its tag names
    that manifest); else verify refuses it (IDX003: no index yet, IDX004: not listed).
    Returns ref -> whether a consumer sees it."""
    store = release.layout()
    doc, _ = current_index(store)
    seen = {}
    for ref in BUNDLES:
        outcome = release.verify(ref, state=release.root / ".rspp" / "state-after-kill.json")
        listed = doc.bundles.get(ref) if doc is not None else None
        if listed is not None:
            assert tags.get(_tag(ref)) == listed
            assert outcome.verified is not None, codes(outcome)
            seen[ref] = True
        else:
            assert outcome.verified is None
            assert codes(outcome) == (["IDX003"] if doc is None else ["IDX004"]), ref
            seen[ref] = False
    return seen


# --- 1. crash safety --------------------------------------------------------------------------

KILLS: Final = (
    ("empty", "first write", "before"),
    ("empty", "a layer of the first bundle", "partial"),
    ("empty", "the first signature envelope", "after"),
    ("empty", "the first referrers tag", "after"),
    ("empty", "the first bundle's tag", "after"),
    ("empty", "the last bundle's tag", "partial"),
    ("empty", "the index tag (last write)", "before"),
    ("empty", "the index tag (last write)", "after"),
    ("seeded", "the first bundle's tag", "after"),
    ("seeded", "the index document", "partial"),
    ("seeded", "the index tag (last write)", "before"),
    ("seeded", "the index tag (last write)", "partial"),
)


@pytest.mark.parametrize(("scenario", "point", "mode"), KILLS,
                         ids=[f"{s}-{p}-{m}".replace(" ", "_") for s, p, m in KILLS])
def test_a_killed_publish_leaves_all_or_nothing_and_the_next_completes_it(
        scenario: str, point: str, mode: str, template: Release, seeded: Release,
        traces: dict[str, list[Write]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    trace = traces[scenario]
    n = kill_point(trace, point)
    release = copy_release(template if scenario == "empty" else seeded, tmp_path / "repo")
    store = release.root / STORE
    before = assert_consistent(store)

    killed = run_child(_KILL, [str(n), mode], publish_args(release), release.root)
    assert killed.code == -signal.SIGKILL, (killed.code, killed.out, killed.err)
    assert killed.out == ""  # it died before saying anything

    tags = assert_consistent(store)
    # the kill happened where it was meant to: the tags are those set by the writes before
    # (the index's own referrers tag is named after a manifest holding the clock's expiry)
    written = {w.tag for w in trace[: n if mode == "after" else n - 1] if w.kind == "tag"}
    (plain, refs), (plain0, refs0), (plain1, refs1) = names(tags), names(before), names(written)
    assert plain == plain0 | plain1 and len(refs) == len(refs0 | refs1)
    if mode == "partial":  # half of the bytes, under a temporary name only
        target = store / trace[n - 1].path
        assert any(p.name.endswith(".tmp") for p in target.parent.iterdir())
        if trace[n - 1].kind != "tag":  # a new file: its final name is not there
            assert not target.exists()
    seen = assert_published_or_absent(release, tags)
    if scenario == "seeded":  # what was published before stays published, at every point
        assert seen[BUNDLES[0]] and seen[BUNDLES[1]]
    tagged = {ref for ref in BUNDLES if _tag(ref) in tags}

    again = rspp_cli(capsys, *publish_args(release))  # in this process: a normal run
    assert again.code == 0, again.out + again.err
    assert Done(again.code, again.out, again.err).states() == {ref: "already published" if ref in tagged else "published"
                              for ref in BUNDLES}
    assert_consistent(store)
    for ref in BUNDLES:
        assert release.verify(ref).verified is not None, ref


# --- 2. racing publishers ---------------------------------------------------------------------

def test_two_publishers_racing_on_one_layout_publish_each_version_once(
        template: Release, tmp_path: Path) -> None:
    release = copy_release(template, tmp_path / "repo")
    gates = tmp_path / "gates"
    gates.mkdir()
    a, b = run_pair(_RACE, ([str(gates), "a", "b", "-", "free"],
                            [str(gates), "b", "a", "-", "free"]),
                    (publish_args(release), publish_args(release)), release.root)
    assert (a.code, b.code) == (0, 0), a.out + a.err + b.out + b.err
    one, two = a.states(), b.states()
    for ref in BUNDLES:
        assert sorted([one[ref], two[ref]]) == ["already published", "published"], ref
    # both name the same manifests, and the index lists them once
    assert {x["ref"]: x["digest"] for x in a.summary()["bundles"]} == \
        {x["ref"]: x["digest"] for x in b.summary()["bundles"]}
    assert_consistent(release.root / STORE)
    for ref in BUNDLES:
        assert release.verify(ref).verified is not None, ref


@pytest.fixture(scope="module")
def rival(template: Release, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """A clone whose ``simple_livekit_voice_bundle@1.0.0`` has other content, relocked and
    committed (the same key pair and trust policy)."""
    from rspp.cli.main import main

    release = copy_release(template, tmp_path_factory.mktemp("rival") / "repo")
    path = release.root / "pipelines/examples/simple_livekit_voice/bundle.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("description:", "description: Other content.", 1),
                    encoding="utf-8")
    lock = json.loads((release.root / LOCK_FILE).read_text(encoding="utf-8"))
    del lock["artifacts"][f"PipelineBundle/{SIMPLE}"]
    (release.root / LOCK_FILE).write_text(json.dumps(lock), encoding="utf-8")
    assert main(["build", "--root", str(release.root)]) == 0
    assert main(["lock", "--root", str(release.root)]) == 0
    commit(release.root, message="other content for 1.0.0")
    return release


def _race_on_registry(one: Release, two: Release, url: str, order: tuple[str, str],
                      gates: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gates.mkdir()
    a, b = run_pair(_RACE, ([str(gates), "a", "b", SIMPLE, order[0]],
                            [str(gates), "b", "a", SIMPLE, order[1]]),
                    (publish_args(one, "--to", url), publish_args(two, "--to", url)),
                    one.root)
    said = [(a, one), (b, two)]
    for done, _ in said:
        assert done.code in (0, 1), done.out + done.err
    winners = [(d, r) for d, r in said if d.states()[SIMPLE] == "published"]
    assert len(winners) == 1, [d.states() for d, _ in said]
    (win, winner), (lose, _) = winners[0], next((d, r) for d, r in said if d is not winners[0][0])
    assert lose.code == 1 and lose.states()[SIMPLE] == "refused"
    assert [x["code"] for x in lose.summary()["bundles"]] == ["REL001"]
    digest = win.summary()["bundles"][0]["digest"]
    from rspp.release.registry import RegistryStore

    assert RegistryStore(url).resolve(_tag(SIMPLE)) == digest
    capsys.readouterr()
    run = rspp_cli(capsys, "bundle", "verify", SIMPLE, "--policy", str(winner.policy),
                   "--from", url, "--state", str(winner.root / ".rspp" / f"{gates.name}.json"),
                   "--root", str(winner.root))
    assert run.code == 0, run.out + run.err
    assert digest in run.out


def test_two_publishers_of_other_content_racing_on_a_registry(
        template: Release, rival: Release, registry: Registry, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    base = registry.url.rsplit("/", 1)[0]
    # the interleaving that loses: the first sets the tag and reads it back before the second
    # sets it; then two free races from a common start line
    rounds = (("first", "second"), ("free", "free"), ("free", "free"))
    for n, order in enumerate(rounds):
        one, two = (template, rival) if n % 2 == 0 else (rival, template)
        _race_on_registry(one, two, f"{base}/race{n}", order, tmp_path / f"gates{n}", capsys)


# --- 3. the bytes validated are the bytes published -------------------------------------------

def test_a_working_tree_changed_while_publishing_does_not_change_what_is_published(
        template: Release, tmp_path: Path) -> None:
    release = copy_release(template, tmp_path / "repo")
    spec = "pipelines/specs/livekit_voice_assistant.yaml"
    bundle = "pipelines/bundles/livekit_voice_assistant_bundle.json"
    before = {rel: (release.root / rel).read_bytes() for rel in (spec, bundle)}
    edits = [spec, "description: Reference", "description: Changed. Reference",
             bundle, '"description": "Release', '"description": "Changed. Release']
    done = run_child(_CHANGE, edits, publish_args(release), release.root)
    assert done.code == 0, done.out + done.err
    assert done.states() == dict.fromkeys(BUNDLES, "published")
    for rel in (spec, bundle):  # the tree did change during the run
        assert (release.root / rel).read_bytes() != before[rel]
    lock = json.loads(git(release.root, "show", f"HEAD:{LOCK_FILE}"))["artifacts"]
    store = LayoutStore(release.root)
    titles = set()
    for ref in BUNDLES:
        digest = store.resolve(_tag(ref))
        assert digest is not None
        manifest = json.loads(store.get_manifest(digest))
        for layer in manifest["layers"][:-1]:  # the last is the resolved view
            title = layer["annotations"][oci.TITLE]
            titles.add(title)
            assert layer["digest"] == lock[title], title
            assert oci.sha256(store.get_blob(layer["digest"])) == lock[title]
        assert release.verify(ref).verified is not None, ref
    assert "PipelineSpec/livekit_voice_assistant@1.0.0" in titles
    assert "PipelineBundle/livekit_voice_assistant_bundle@1.0.0" in titles

