"""Canonical digests: formatting never changes them, meaning always does (RFC 8785)."""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.core.canonical import canonical_bytes
from rspp.load.api import load_bytes
from rspp.load.document import Syntax
from rspp.model.digest import data_digest
from tests.helpers.cli import rspp
from tests.helpers.files import read, write
from tests.helpers.repos import DIGEST_LINE, PROFILE, lock_entries

# --- RFC 8785 test vectors ------------------------------------------------------------------


def test_rfc8785_section_3_2_2_sample() -> None:
    """The input of RFC 8785 section 3.2.2 and its output, as section 3.2.4 prints it (hex)."""
    source = r"""{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"""
    rfc_hex = """
        7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
        75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
        5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
        65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
        5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
        30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d"""
    expected = bytes.fromhex(rfc_hex)
    assert expected == (b'{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,'
                        b'0.002,1e-27],"string":"\xe2\x82\xac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical_bytes(json.loads(source)) == expected


def test_rfc8785_section_3_2_3_sorting_by_utf16_code_units() -> None:
    data = {"\u20ac": "Euro Sign", "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
            "\U0001f600": "Emoji: Grinning Face", "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis"}
    expected = ('{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
                '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
                '"\U0001f600":"Emoji: Grinning Face",'
                '"\ufb33":"Hebrew Letter Dalet With Dagesh"}').encode("utf-8")
    assert canonical_bytes(data) == expected


@pytest.mark.parametrize(("bits", "text"), [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
])
def test_rfc8785_appendix_b_numbers(bits: str, text: str) -> None:
    number = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert canonical_bytes(number) == text.encode()
    assert canonical_bytes([number]) == f"[{text}]".encode()


# --- the command ----------------------------------------------------------------------------

def test_digest_command_prints_digest_and_path(capsys: pytest.CaptureFixture[str],
                                               examples: Path) -> None:
    profile, bundle = examples / PROFILE, examples / "pipelines/bundles/sip_telephony_bundle.yaml"
    run = rspp(capsys, "digest", str(profile), str(bundle))
    assert run.code == 0 and run.err == ""
    lines = run.out.splitlines()
    assert [DIGEST_LINE.match(line) is not None for line in lines] == [True, True]
    assert [line.split("  ", 1)[1] for line in lines] == [str(profile), str(bundle)]
    # The digest is the one the lock records and the one bundles pin.
    locked = lock_entries(examples)
    assert lines[0].split()[0] == locked["ExecutionProfile/simple/v1@1.0.0"]
    assert lines[1].split()[0] == locked["PipelineBundle/sip_telephony_bundle@1.0.0"]


def test_digest_command_reports_an_unreadable_file(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "a: 1\na: 2\n")
    write(tmp_path, "good.json", '{"a": 1}')
    run = rspp(capsys, "digest", str(tmp_path / "bad.yaml"), str(tmp_path / "good.json"))
    assert run.code == 1
    bad, good = run.out.splitlines()
    assert bad.startswith(f"{tmp_path / 'bad.yaml'}:2:1 LOAD002 ")
    assert DIGEST_LINE.match(good)


# --- formatting never changes a digest ------------------------------------------------------

def _reversed_keys(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _reversed_keys(data[k]) for k in reversed(list(data))}
    if isinstance(data, list):
        return [_reversed_keys(v) for v in data]
    return data


def _block_yaml(data: Any, rng: random.Random, indent: int = 2, depth: int = 0) -> str:
    """YAML in block style: keys and strings quoted either way, comments between lines."""
    pad = " " * (indent * depth)

    def scalar(value: Any) -> str:
        if isinstance(value, str) and rng.random() < 0.5 and "'" not in value \
                and value.isprintable():
            return "'" + value + "'"
        # \u escapes only inside the BMP: YAML has no surrogate pairs (\U0001F600, not
        # \ud83d\ude00), so those characters are written as they are.
        bmp = not isinstance(value, str) or all(ord(c) < 0x10000 for c in value)
        return json.dumps(value, ensure_ascii=bmp and rng.random() < 0.5)

    lines: list[str] = []
    items = list(data.items()) if isinstance(data, dict) else list(enumerate(data))
    if isinstance(data, dict):
        rng.shuffle(items)
    for key, value in items:
        head = f"{pad}{scalar(key)}:" if isinstance(data, dict) else f"{pad}-"
        if rng.random() < 0.3:
            lines.append(f"{pad}# a comment the digest never sees")
        if isinstance(value, (dict, list)) and value:
            lines.append(head)
            lines.append(_block_yaml(value, rng, indent, depth + 1).rstrip("\n"))
        else:
            empty = "{}" if isinstance(value, dict) else "[]"
            text = empty if isinstance(value, (dict, list)) else scalar(value)
            lines.append(f"{head} {text}" + ("  # trailing" if rng.random() < 0.3 else ""))
    return "\n".join(lines) + "\n"


def test_reformatting_an_artifact_never_changes_its_digest(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    original = read(examples, PROFILE)
    doc = load_bytes(original.encode(), PROFILE, syntax="yaml").document
    assert doc is not None
    data = doc.data
    variants = {
        "original.yaml": original,
        "requoted.yaml": original.replace("id: simple/v1", "id: 'simple/v1'")
                                 .replace("mode: standard", 'mode: "standard"')
                                 .replace('version: "1.0.0"', "version: '1.0.0'")
                                 .replace("turnLatencyMs: 800", "turnLatencyMs: 800  # ms"),
        "no-comments.yaml": "".join(line for line in original.splitlines(keepends=True)
                                    if not line.lstrip().startswith("#")),
        "indented.yaml": _block_yaml(data, random.Random(1), indent=4),
        "shuffled.yaml": _block_yaml(data, random.Random(2), indent=3),
        "reversed.json": json.dumps(_reversed_keys(data), indent=7),
        "compact.json": json.dumps(data, separators=(",", ":"), sort_keys=True),
        "escaped.json": json.dumps(data, ensure_ascii=True, indent="\t"),
        "flow.yaml": json.dumps(_reversed_keys(data)),  # JSON text read as YAML
    }
    assert len(set(variants.values())) == len(variants)
    for name, text in variants.items():
        write(examples, f"variants/{name}", text)
    run = rspp(capsys, "digest", *(str(examples / "variants" / n) for n in variants))
    assert run.code == 0, run.out
    digests = {line.split("  ", 1)[1].rsplit("/", 1)[1]: line.split()[0]
               for line in run.out.splitlines()}
    assert set(digests) == set(variants)
    assert set(digests.values()) == {lock_entries(examples)["ExecutionProfile/simple/v1@1.0.0"]}


_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=8)
_VALUES = st.recursive(
    st.none() | st.booleans() | _TEXT
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, min_size=1, max_size=4), st.integers(0, 2**32))
def test_yaml_and_json_of_the_same_data_have_one_digest(data: dict[str, Any],
                                                        seed: int) -> None:
    rng = random.Random(seed)
    as_json = json.dumps(_reversed_keys(data), indent=rng.choice([None, 1, 4]),
                         ensure_ascii=rng.random() < 0.5)
    as_yaml = _block_yaml(data, rng, indent=rng.choice([2, 3, 4]))
    as_flow = json.dumps(data, ensure_ascii=False)  # JSON text is YAML flow style
    expected = data_digest(data)
    cases: tuple[tuple[str, Syntax], ...] = ((as_json, "json"), (as_yaml, "yaml"), (as_flow, "yaml"))
    for text, fmt in cases:
        doc = load_bytes(text.encode(), f"x.{fmt}", syntax=fmt).document
        assert doc is not None, (fmt, text)
        assert data_digest(doc.data) == expected, (fmt, text)


# --- any change of meaning changes it -------------------------------------------------------

def test_every_change_of_meaning_changes_the_digest(capsys: pytest.CaptureFixture[str],
                                                    examples: Path) -> None:
    original = read(examples, PROFILE)
    changes = {
        "value": ("turnLatencyMs: 800", "turnLatencyMs: 801"),
        "int-to-string": ("turnLatencyMs: 800", 'turnLatencyMs: "800"'),
        "float-to-string": ("maxCostPerTurnUsd: 0.02", 'maxCostPerTurnUsd: "0.02"'),
        "float-value": ("maxCostPerTurnUsd: 0.02", "maxCostPerTurnUsd: 0.020000000000000004"),
        "enum": ("shedding: drop_newest", "shedding: drop_oldest"),
        "string-case": ("mode: standard", "mode: Standard"),
        "string-space": ("tier: standard", "tier: 'standard '"),
        "key": ("sttFinalMs: 200", "sttFinalMS: 200"),
        "added-key": ("  mode: standard", "  mode: standard\n  extra: null"),
        "null-vs-string": ("  mode: standard", "  mode: standard\n  extra: 'null'"),
        "bool-vs-string": ("  mode: standard", "  mode: standard\n  extra: true"),
        "bool-string": ("  mode: standard", "  mode: standard\n  extra: 'true'"),
        "list-order": ("    - voice-platform@acme.example",
                       "    - a@acme.example\n    - voice-platform@acme.example"),
        "list-order-2": ("    - voice-platform@acme.example",
                         "    - voice-platform@acme.example\n    - a@acme.example"),
        "version": ('version: "1.0.0"', 'version: "1.0.1"'),
        "nesting": ("  sheddingOnBudgetBreach: degrade",
                    "  sheddingOnBudgetBreach: [degrade]"),
    }
    write(examples, "variants/original.yaml", original)
    for name, (old, new) in changes.items():
        assert old in original, old
        write(examples, f"variants/{name}.yaml", original.replace(old, new, 1))
    names = ["original", *changes]
    run = rspp(capsys, "digest", *(str(examples / "variants" / f"{n}.yaml") for n in names))
    assert run.code == 0, run.out
    digests = [line.split()[0] for line in run.out.splitlines()]
    assert len(digests) == len(names)
    assert len(set(digests)) == len(names), dict(zip(names, digests, strict=True))


@pytest.mark.parametrize(("one", "other"), [
    ("1", '"1"'), ("1.0", '"1.0"'), ("1", "true"), ("0", "false"), ("0", "null"),
    ('""', "null"), ("[]", "{}"), ("[1]", "1"), ("1", "2"), ("0.5", "0.25"), ('"a"', '"A"'),
])
def test_types_and_values_are_part_of_the_digest(one: str, other: str) -> None:
    def digest(value: str) -> str:
        doc = load_bytes(f"a: {value}\n".encode(), "x.yaml", syntax="yaml").document
        assert doc is not None
        return data_digest(doc.data)

    assert digest(one) != digest(other)


def test_integral_float_and_integer_are_one_number() -> None:
    """RFC 8785 numbers are IEEE 754 doubles: 1 and 1.0 (and 1e0, 0x1) serialise as ``1``.

    Validation agrees (a capacity of 64.0 is accepted as 64 and resolves to 64), so this is
    the same meaning, not a change of type the digest should see.
    """
    digests = set()
    for value in ("1", "1.0", "1e0", "0x1", "1.00"):
        doc = load_bytes(f"a: {value}\n".encode(), "x.yaml", syntax="yaml").document
        assert doc is not None
        digests.add(data_digest(doc.data))
    assert len(digests) == 1
    assert canonical_bytes({"a": 1.0}) == b'{"a":1}'
