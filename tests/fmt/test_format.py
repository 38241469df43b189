"""format_text: key order, comments moving with their keys, quoting, layout, refusals."""

from __future__ import annotations

import json

import pytest

from rspp.fmt import FMT001, format_text
from rspp.load.document import Syntax
from tests.helpers.fmt import comment_lines, dedent, load, same_meaning


def fmt(text: str, kind: Syntax = "yaml") -> str:
    """The formatted text; fails if formatting refuses, changes the data or is not stable."""
    result = format_text(text, kind, "x.yaml")
    assert result.ok, [f"{f.location()} {f.code} {f.message}" for f in result.findings]
    same_meaning(text, result.text, kind)
    again = format_text(result.text, kind, "x.yaml")
    assert again.ok and again.text == result.text, "not idempotent"
    return result.text


def test_keys_take_the_schema_order_and_comments_move_with_them() -> None:
    text = dedent("""
        # The file's header stays on top.

        # above spec
        spec:
          nodes:
            - type: vad.silero  # the model
              # above id
              id: vad
        # above kind
        kind: PipelineSpec
        metadata:
          # above version
          version: "1.0.0"
          id: agent  # the id
        apiVersion: rspp.dev/v1alpha1
        # the end
        """)
    assert fmt(text) == dedent("""
        # The file's header stays on top.

        apiVersion: rspp.dev/v1alpha1
        # above kind
        kind: PipelineSpec
        metadata:
          id: agent  # the id
          # above version
          version: "1.0.0"
        # above spec
        spec:
          nodes:
            # above id
            - id: vad
              type: vak.silero  # the model
        # the end
        """).replace("vak", "vad")


def test_the_comments_above_the_first_key_are_the_files_header() -> None:
    text = "# header\n# more\nkind: Module\napiVersion: rspp.dev/v1alpha1\n"
    assert fmt(text) == "# header\n# more\napiVersion: rspp.dev/v1alpha1\nkind: Module\n"


def test_after_a_blank_line_the_comments_above_the_first_key_are_its_own() -> None:
    text = dedent("""
        # header
        #
        # still the header

        # about kind
        kind: Module
        apiVersion: rspp.dev/v1alpha1
        """)
    assert fmt(text) == dedent("""
        # header
        #
        # still the header

        apiVersion: rspp.dev/v1alpha1
        # about kind
        kind: Module
        """)


def test_unknown_keys_follow_the_known_ones_in_their_order() -> None:
    text = dedent("""
        kind: PipelineSpec
        zeta: 1
        apiVersion: rspp.dev/v1alpha1
        alpha: 2
        metadata: {version: "1.0.0", extra: x, id: a}
        """)
    assert fmt(text) == dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: PipelineSpec
        metadata: {id: a, version: "1.0.0", extra: x}
        zeta: 1
        alpha: 2
        """)


def test_free_form_maps_keep_the_authors_order() -> None:
    text = dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: PipelineSpec
        metadata:
          id: a
          version: "1.0.0"
          labels: {zone: b, app: a}
        spec:
          nodes:
            - id: stt
              type: stt.deepgram
              params:
                zeta: 1
                alpha: {b: 1, a: 2}
        """)
    assert fmt(text) == text


def test_a_document_of_unknown_kind_is_not_reordered() -> None:
    text = "kind: Other\nb: 1\na: {d: 1, c: 2}\n"
    assert fmt(text) == text


def test_flow_mappings_are_reordered_and_stay_flow() -> None:
    text = dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: PipelineSpec
        metadata: {version: "1.0.0", id: a}
        spec:
          nodes:
            - {type: vad.silero, id: vad, cancel: {inFlight: drop, scope: turn}}
          edges: [{to: b.in, lane: data, from: a.out}]
        """)
    assert fmt(text) == dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: PipelineSpec
        metadata: {id: a, version: "1.0.0"}
        spec:
          nodes:
            - {id: vad, type: vad.silero, cancel: {scope: turn, inFlight: drop}}
          edges: [{from: a.out, to: b.in, lane: data}]
        """)


def test_versions_are_double_quoted_where_the_schema_wants_a_semver() -> None:
    text = dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: CompatibilityContract
        metadata:
          id: skew
          version: 1.0.0
        spec:
          schemaCompatibility: {default: BACKWARD}
          versionSkew: {}
          eventAbi:
            current: '1.1.0'
            supported: [1.0.0, '1.1.0', "1.2.0-rc.1"]
          note: 1.0.0
        """)
    assert load(text)["metadata"]["version"] == "1.0.0"
    assert fmt(text) == dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: CompatibilityContract
        metadata:
          id: skew
          version: "1.0.0"
        spec:
          schemaCompatibility: {default: BACKWARD}
          versionSkew: {}
          eventAbi:
            current: "1.1.0"
            supported: ["1.0.0", "1.1.0", "1.2.0-rc.1"]
          note: 1.0.0
        """)


def test_a_version_that_is_a_number_is_left_for_validate_to_report() -> None:
    text = "apiVersion: rspp.dev/v1alpha1\nkind: Module\nmetadata: {id: a, version: 1.10}\n"
    assert fmt(text) == text
    assert load(text)["metadata"]["version"] == 1.1


@pytest.mark.parametrize("plain", [
    "yes", "No", "ON", "off", "y", "N", "1_000", "0b101", "1:30", "2026-01-01",
    "2026-01-01 10:00:00", "=", "<<",
])
def test_strings_a_yaml_11_reader_would_retype_are_quoted(plain: str) -> None:
    text = f"kind: Other\nvalue: {plain}\nlist: [{plain}]\n"
    assert load(text)["value"] == plain
    assert fmt(text) == f'kind: Other\nvalue: "{plain}"\nlist: ["{plain}"]\n'
    if plain != "<<":  # a merge key, which the loader refuses
        assert fmt(f"kind: Other\n{plain}: key\n") == f'kind: Other\n"{plain}": key\n'


def test_plain_strings_yaml_11_reads_alike_stay_plain() -> None:
    text = "kind: Other\nvalues: [yesterday, 1.0.0, 0x, _1, true_, on-call, nope]\n"
    assert fmt(text) == text


def test_strings_and_numbers_keep_the_authors_spelling() -> None:
    text = dedent("""
        kind: Other
        plain: hello world
        single: 'it''s'
        double: "tab\\there"
        numbers: [010, 0o17, 0x1F, 1.50, 1e3, .5, -0, +1, 3.887487362697844e-177]
        empty:
        nothing: ~
        floats: [1.0, 6.0]
        tagged: !!str 123
        literal: |
          keep
            this
        folded: >-
          one
          two
        """)
    out = fmt(text)
    assert out == text.replace("!!str 123", '"123"')
    data = load(out)
    assert data["numbers"] == [10, 15, 31, 1.5, 1000.0, 0.5, 0, 1, 3.887487362697844e-177]
    assert data["empty"] is None and data["nothing"] is None
    assert [type(v) for v in data["floats"]] == [float, float]


def test_indentation_is_normalised() -> None:
    text = dedent("""
        kind: Other
        a:
            b:
                - x
                - w:   1
                  z: 2
        c:
        - 1
        -   - 2
        """)
    assert fmt(text) == dedent("""
        kind: Other
        a:
          b:
            - x
            - w: 1
              z: 2
        c:
          - 1
          -   - 2
        """)


def test_blank_lines_are_kept_but_never_doubled() -> None:
    text = "kind: Other\n\n\n\na: 1\n\n# about b\n\n\nb:\n\n  c: 1\n\n\n"
    assert fmt(text) == "kind: Other\n\na: 1\n\n# about b\n\nb:\n  c: 1\n"


def test_comments_at_line_ends_and_after_block_scalar_indicators() -> None:
    text = dedent("""
        kind: Other  # kind
        map:  # the map
          key: value  # a value
          text: |  # a literal
            body # not a comment
        list:  # the list
          - one  # first
          - {a: 1}  # flow
          # above three
          - three
        """)
    assert fmt(text) == text
    assert comment_lines(text) == comment_lines(fmt(text))


def test_document_start_marker_and_comments_above_it_are_kept() -> None:
    text = "# above\n---\n# below\nkind: Other\n"
    assert fmt(text) == text


def test_no_yaml_directive_is_written() -> None:
    text = "%YAML 1.1\n---\nkind: Other\nflag: yes\ncount: 010\n"
    assert load(text) == {"kind": "Other", "flag": "yes", "count": 10}
    assert fmt(text) == '---\nkind: Other\nflag: "yes"\ncount: 010\n'


def test_windows_line_ends_become_unix_ones() -> None:
    assert fmt("# c\r\nkind: Other\r\na: [1, 2]\r\n") == "# c\nkind: Other\na: [1, 2]\n"


def test_json_takes_schema_order_and_keeps_numbers_exact() -> None:
    text = json.dumps({
        "spec": {"compatibility": {"eventAbi": "1.1.0", "minRuntime": "1.0.0"},
                 "pins": [{"ref": "a@1.0.0", "kind": "PipelineSpec"}]},
        "metadata": {"version": "1.0.0", "id": "b", "labels": {"z": "1", "a": "2"}},
        "kind": "PipelineBundle", "apiVersion": "rspp.dev/v1alpha1",
        "extra": [1.0, 1, True, None, 1e-07, 9007199254740991, "é"],
    })
    out = fmt(text, "json")
    assert out == dedent("""
        {
          "apiVersion": "rspp.dev/v1alpha1",
          "kind": "PipelineBundle",
          "metadata": {
            "id": "b",
            "version": "1.0.0",
            "labels": {
              "z": "1",
              "a": "2"
            }
          },
          "spec": {
            "pins": [
              {
                "kind": "PipelineSpec",
                "ref": "a@1.0.0"
              }
            ],
            "compatibility": {
              "minRuntime": "1.0.0",
              "eventAbi": "1.1.0"
            }
          },
          "extra": [
            1.0,
            1,
            true,
            null,
            1e-07,
            9007199254740991,
            "é"
          ]
        }
        """)


def _refusal(text: str) -> str:
    result = format_text(text, "yaml", "x.yaml")
    assert result.text == text
    assert [f.code for f in result.findings] == [FMT001]
    finding = result.findings[0]
    assert finding.message.endswith("; file left unchanged")
    return f"{finding.line}:{finding.col} {finding.message}"


def test_a_comment_inside_a_flow_collection_is_refused() -> None:
    assert _refusal("kind: Other\na: [1,  # one\n  2]\n").startswith(
        "2:9 a comment inside a flow collection")


def test_a_comment_after_a_list_items_block_scalar_indicator_is_refused() -> None:
    assert _refusal("kind: Other\na:\n  - |  # note\n    text\n").startswith(
        "3:1 the comment after a list item's block scalar indicator")


def test_text_the_round_trip_parser_cannot_read_is_refused() -> None:
    assert _refusal("kind: Other\na:\t1\n") == (
        "2:3 the round-trip YAML parser cannot read the file: found character '\\t' that "
        "cannot start any token; file left unchanged")


def test_nel_ls_and_ps_are_ordinary_characters() -> None:
    """YAML 1.2 reads U+0085, U+2028 and U+2029 as characters, not line breaks; so does fmt."""
    text = ('kind: PipelineSpec\n# a comment\u2028with LS\nmetadata:\n  version: 1.0.0\n'
            '  id: a\x85b\n  labels: {x: "c\u2029d"}\napiVersion: v\n')
    assert fmt(text) == ('apiVersion: v\nkind: PipelineSpec\n# a comment\u2028with LS\n'
                         'metadata:\n  id: a\x85b\n  version: "1.0.0"\n'
                         '  labels: {x: "c\u2029d"}\n')


@pytest.mark.parametrize(("text", "code"), [
    ("a: &x 1\nb: *x\n", "LOAD003"),
    ("a: 1\na: 2\n", "LOAD002"),
    ("a: !!python/object:os.system [ls]\n", "LOAD005"),
    ("- a\n", "LOAD008"),
])
def test_text_the_strict_loader_refuses_is_returned_as_it_is(text: str, code: str) -> None:
    result = format_text(text, "yaml", "x.yaml")
    assert result.text == text
    assert [f.code for f in result.findings] == [code]
