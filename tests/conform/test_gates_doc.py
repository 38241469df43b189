"""docs/gates.md lists every metric of every gate type exactly as rspp.model.gates declares it
(the table the rules GAT003-GAT005 and the runner read), and every GAT rule."""

from __future__ import annotations

from rspp.model.gates import METRICS
from rspp.rules.registry import all_rules
from tests.helpers import REPO_ROOT

DOC = REPO_ROOT / "docs" / "gates.md"


def metrics_table() -> str:
    """The Markdown table of metrics docs/gates.md carries."""
    rows = ["| gate type | metric | must be | unit | profile budget | measures |",
            "| --- | --- | --- | --- | --- | --- |"]
    for kind, metrics in METRICS.items():
        for m in metrics.values():
            bound = "at most" if m.direction == "max" else "at least"
            rows.append(f"| `{kind}` | `{m.name}` | {bound} | {m.unit} | "
                        f"{f'`{m.budget}`' if m.budget else '-'} | {m.summary} |")
    return "\n".join(rows) + "\n"


def test_the_doc_lists_every_metric() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert metrics_table() in text, "regenerate the table with tests.conform.test_gates_doc"


def test_the_table_fails_on_a_missing_metric() -> None:
    """The check can fail: a table without one row is not in the doc."""
    table = metrics_table()
    first_row = table.splitlines(keepends=True)[2]
    assert table.replace(first_row, "") not in DOC.read_text(encoding="utf-8")


def test_the_doc_lists_every_gates_rule() -> None:
    text = DOC.read_text(encoding="utf-8")
    codes = sorted(r.code for r in all_rules() if r.code.startswith("GAT"))
    assert codes == [f"GAT00{i}" for i in range(1, 10)]
    assert all(f"`{code}`" in text for code in codes)


if __name__ == "__main__":
    print(metrics_table(), end="")
