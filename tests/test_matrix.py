"""Tests of the responsibility matrix: real cells of the bundled centre, flags, renderings.

The cells asserted here are the ones a centre manager would check on the printed table
(approval limits, who escalates to whom, that QA never handles), read off the real
rules at the repository root; the broken examples pin the gap / duplicate flags.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from pathlib import Path

import pytest

from rulesengine.analysis.context import Analysis
from rulesengine.compile.compiler import load_rules
from rulesengine.model.ruleset import Ruleset
from rulesengine.render.diagrams import DUP_FILL, GAP_FILL
from rulesengine.reports.matrix import render_csv, render_html, render_json
from rulesengine.reports.matrix import render_markdown as matrix_markdown
from rulesengine.rules.run import CheckResult, run_check
from rulesengine.views.matrix import Cell, Column, Matrix, Row, build_matrix

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "examples" / "broken"


def _check(path: Path) -> tuple[Ruleset, CheckResult]:
    result = load_rules(path)
    rs = result.ruleset
    assert result.ok and rs is not None, [str(d.message) for d in result.diagnostics]
    return rs, run_check(rs)


@pytest.fixture(scope="module")
def centre() -> CheckResult:
    return _check(ROOT)[1]


@pytest.fixture(scope="module")
def by_state(centre: CheckResult) -> Matrix:
    assert centre.analysis is not None
    return build_matrix(centre.analysis, centre.findings, by="state")


@pytest.fixture(scope="module")
def by_category(centre: CheckResult) -> Matrix:
    assert centre.analysis is not None
    return build_matrix(centre.analysis, centre.findings, by="category")


def _matrix(path: Path, by: str = "state", lang: str = "en") -> Matrix:
    _, res = _check(path)
    assert res.analysis is not None
    return build_matrix(res.analysis, res.findings, by=by, lang=lang)


# -- the bundled centre, by state ---------------------------------------------------------
def test_columns_are_the_non_final_states_in_order(by_state: Matrix, centre: CheckResult) -> None:
    assert centre.analysis is not None
    rs = centre.analysis.ruleset
    want = [
        f"{wid}/{sid}" for wid in sorted(rs.workflows) for sid, st in rs.workflows[wid].states.items() if not st.final
    ]
    assert [c.id for c in by_state.columns] == want
    assert "after_sales/closed" not in want and "after_sales/approval" in want
    assert [r.role for r in by_state.rows] == sorted(rs.roles)
    assert all(len(r.cells) == len(by_state.columns) for r in by_state.rows)
    approval = by_state.column("after_sales/approval")
    assert approval.label == "After-sales refund / Approval" and approval.workflow == "after_sales"


def test_frontline_approval_limit(by_state: Matrix) -> None:
    cell = by_state.cell("frontline_agent", "after_sales/approval")
    assert cell.kinds == ("H",)
    (mark,) = cell.marks
    assert mark.limit == "≤200"
    # the grant also excludes VIP and enterprise customers, so only some tickets ≤ 200
    assert mark.partial and cell.text == "H≤200*"
    assert "amount <= 200" in cell.notes and "tier in [active, new, returning]" in cell.notes


def test_approval_ladder(by_state: Matrix) -> None:
    col = "after_sales/approval"
    assert by_state.cell("super_agent", col).text == "H≤2000*"
    assert by_state.cell("key_account_service", col).text == "H≤5000*"
    assert by_state.cell("vip_service", col).text == "H≤2000*"
    # the supervisor approves every ticket up to 10000, whatever the tier: no star
    sup = by_state.cell("supervisor", col)
    assert sup.text == "H≤10000" and sup.notes == ""
    director = by_state.cell("director", col)
    assert director.text == "H" and director.kinds == ("H",) and director.marks[0].limit == ""


def test_supervisor_and_director_cells(by_state: Matrix) -> None:
    assert by_state.cell("supervisor", "complaint/supervisor_intervention").text == "H · E→director"
    assert by_state.cell("director", "complaint/director_review").text == "H"
    assert by_state.cell("supervisor", "expert_routing/supervisor_intervention").text == (
        "H · C→logistics_expert,policy_expert,tech_expert"
    )
    assert by_state.cell("supervisor", "standard_service/supervisor_intervention").kinds == ("H",)
    # the director only decides major complaints and the largest refunds
    director = by_state.row("director")
    assert {c.column for c in director.cells if c.kinds} == {"after_sales/approval", "complaint/director_review"}


def test_coordinate_and_escalate_targets(by_state: Matrix) -> None:
    cell = by_state.cell("frontline_agent", "expert_routing/summarizing")
    assert cell.kinds == ("H", "C", "E")
    assert cell.text == "H* · C*→logistics_expert,policy_expert,tech_expert · E*→supervisor"
    assert "C: category = technical" in cell.notes
    assert by_state.cell("tech_expert", "expert_routing/expert_handling").text == "H* · C*→super_agent · E*→supervisor"
    assert by_state.cell("super_agent", "expert_routing/cross_department").text == "H · E→supervisor"
    # a frontline agent hands over summaries, never works the expert step itself
    assert by_state.cell("frontline_agent", "expert_routing/expert_handling").kinds == ()


def test_qa_inspector_never_holds_anything(by_state: Matrix, by_category: Matrix) -> None:
    for m in (by_state, by_category):
        row = m.row("qa_inspector")
        assert row.name == "Quality inspector" and row.name_zh == "质检"
        assert all(c.kinds == () and c.text == "" for c in row.cells)
        assert not any("H" in c.kinds for c in row.cells)


def test_no_flags_on_the_bundled_centre(by_state: Matrix, by_category: Matrix, centre: CheckResult) -> None:
    assert not [f for f in centre.findings if f.code in ("RE201", "RE202")]
    for m in (by_state, by_category):
        assert all(c.flags == () and c.status == "ok" for c in m.columns)


# -- the bundled centre, by category ------------------------------------------------------
def test_category_columns(by_category: Matrix) -> None:
    assert [c.id for c in by_category.columns] == [
        "product_inquiry",
        "order_status",
        "technical",
        "logistics",
        "policy",
        "refund",
        "complaint",
    ]
    assert by_category.column("refund").label == "Refund request"


def test_refund_column(by_category: Matrix) -> None:
    col = "refund"
    assert by_category.cell("director", col).text == "H"
    assert by_category.cell("super_agent", col).text == "H≤2000*"
    # the supervisor approves up to 10000 and owns every intervention: handle without a cap
    sup = by_category.cell("supervisor", col)
    assert sup.kinds == ("H",) and sup.text == "H*" and "amount <= 10000 (after_sales: approval)" in sup.notes
    front = by_category.cell("frontline_agent", col)
    assert front.text == "H* · E*→supervisor"
    assert "amount <= 200 and tier in [active, new, returning] (after_sales: approval)" in front.notes
    for expert in ("tech_expert", "logistics_expert", "policy_expert", "qa_inspector"):
        assert by_category.cell(expert, col).kinds == ()


def test_expert_columns(by_category: Matrix) -> None:
    assert by_category.cell("tech_expert", "technical").text == "H · C→super_agent · E→supervisor"
    assert by_category.cell("tech_expert", "logistics").kinds == ()
    # the frontline transfers technical problems to the technical pool only
    assert by_category.cell("frontline_agent", "technical").text == "H* · C*→tech_expert · E*→supervisor"
    assert by_category.cell("frontline_agent", "logistics").text == "H* · C*→logistics_expert · E*→supervisor"
    assert by_category.cell("director", "technical").kinds == ()
    assert by_category.cell("director", "complaint").text == "H"


def test_category_needs_an_enum_category(centre: CheckResult) -> None:
    assert centre.analysis is not None
    rs = centre.analysis.ruleset
    attrs = {k: v for k, v in rs.attributes.items() if k != "category"}
    no_cat = dataclasses.replace(rs, attributes=attrs)
    with pytest.raises(ValueError) as err:
        build_matrix(Analysis(no_cat), [], by="category")
    msg = str(err.value)
    assert "`category`" in msg and "`tier`" in msg and "`channel`" in msg and "`amount`" not in msg
    with pytest.raises(ValueError, match="unknown matrix layout"):
        build_matrix(centre.analysis, [], by="team")


# -- the planted defects ------------------------------------------------------------------
def test_ownership_gap_column_is_flagged() -> None:
    m = _matrix(BROKEN / "ownership-gap")
    flagged = {c.id: c.flags for c in m.columns if c.flags}
    assert flagged == {"refund/approval": ("gap",)}
    assert m.column("refund/approval").status == "gap"
    # no tier split in this centre: the limits are the whole story, no star
    assert m.cell("frontline_agent", "refund/approval").text == "H≤200"
    assert m.cell("supervisor", "refund/approval").text == "H≤5000"
    assert m.cell("frontline_agent", "refund/requested").text == "H"
    md = matrix_markdown(m)
    assert "Refund / Approval ⚠gap" in md
    assert md.splitlines()[-1].startswith("| **owner check** |") and "| GAP |" in md
    mc = _matrix(BROKEN / "ownership-gap", by="category")
    assert {c.id: c.status for c in mc.columns} == {"refund": "gap"}


def test_duplicate_ownership_column_is_flagged() -> None:
    m = _matrix(BROKEN / "duplicate-ownership")
    assert {c.id: c.flags for c in m.columns if c.flags} == {"complaint/received": ("duplicate",)}
    md = matrix_markdown(m)
    assert "⚠dup" in md and "| DUP |" in md
    mc = _matrix(BROKEN / "duplicate-ownership", by="category")
    assert mc.column("complaint").flags == ("duplicate",)
    assert [c.status for c in mc.columns if c.id != "complaint"] == ["ok"] * (len(mc.columns) - 1)
    html = render_html(m)
    assert f"background:{DUP_FILL}" in html and 'class="duplicate"' in html


def test_gap_shared_by_two_categories_flags_both(tmp_path: Path) -> None:
    """A finding names its smallest ticket only; every category that meets the gap is flagged."""
    d = tmp_path / "rules"
    shutil.copytree(BROKEN / "ownership-gap", d)
    ticket = d / "ticket.yaml"
    t = ticket.read_text(encoding="utf-8")
    marker = "      refund: {en: Refund request, zh: 退款申请}\n"
    assert marker in t
    ticket.write_text(
        t.replace(marker, marker + "      order_status: {en: Order status, zh: 订单查询}\n"), encoding="utf-8"
    )
    wf = d / "workflows" / "refund.yaml"
    text = wf.read_text(encoding="utf-8")
    assert "  category: refund\n" in text
    wf.write_text(text.replace("  category: refund\n", "  category: [refund, order_status]\n"), encoding="utf-8")
    _, res = _check(d)
    (gap,) = [f for f in res.findings if f.code == "RE201"]
    assert gap.ticket is not None and gap.ticket["category"] in ("refund", "order_status")
    assert res.analysis is not None
    m = build_matrix(res.analysis, res.findings, by="category")
    assert {c.id: c.status for c in m.columns} == {"refund": "gap", "order_status": "gap"}


def test_lower_and_upper_bounds(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    shutil.copytree(BROKEN / "ownership-gap", d)
    sup = d / "roles" / "supervisor.yaml"
    text = sup.read_text(encoding="utf-8")
    assert "    limits: {amount: 5000}\n" in text
    sup.write_text(text.replace("    limits: {amount: 5000}\n", "    when: {amount: {gt: 200}}\n"), encoding="utf-8")
    _, res = _check(d)
    assert res.analysis is not None
    m = build_matrix(res.analysis, res.findings)
    assert m.cell("supervisor", "refund/approval").text == "H>200"
    assert m.cell("frontline_agent", "refund/approval").text == "H≤200"
    assert m.column("refund/approval").flags == ()  # the ladder now has no top limit


# -- renderings ---------------------------------------------------------------------------
def test_csv_round_trips(by_state: Matrix, by_category: Matrix) -> None:
    for m in (by_state, by_category, _matrix(BROKEN / "ownership-gap")):
        rows = list(csv.reader(io.StringIO(render_csv(m))))
        assert rows[0] == ["role"] + [c.id for c in m.columns]
        assert rows[-1] == ["_status"] + [c.status for c in m.columns]
        body = rows[1:-1]
        assert [r[0] for r in body] == [r.role for r in m.rows]
        for parsed, row in zip(body, m.rows, strict=True):
            assert parsed[1:] == [c.text for c in row.cells]
    rows = list(csv.reader(io.StringIO(render_csv(by_state))))
    col = rows[0].index("expert_routing/summarizing")
    front = next(r for r in rows if r[0] == "frontline_agent")
    assert front[col] == "H* · C*→logistics_expert,policy_expert,tech_expert · E*→supervisor"  # commas survive


def test_json(by_state: Matrix) -> None:
    doc = json.loads(render_json(by_state))
    assert doc["version"] == 1 and doc["by"] == "state"
    assert [c["id"] for c in doc["columns"]] == [c.id for c in by_state.columns]
    assert [r["role"] for r in doc["rows"]] == [r.role for r in by_state.rows]
    front = next(r for r in doc["rows"] if r["role"] == "frontline_agent")
    assert front["names"] == {"en": "Frontline agent", "zh": "一线客服"}
    approval = next(c for c in front["cells"] if c["column"] == "after_sales/approval")
    assert approval["kinds"] == ["H"] and approval["text"] == "H≤200*"
    assert approval["marks"][0]["limit"] == "≤200" and approval["marks"][0]["partial"] is True
    assert all(c["status"] == "ok" and c["flags"] == [] for c in doc["columns"])
    gap = json.loads(render_json(_matrix(BROKEN / "ownership-gap", by="category")))
    assert gap["by"] == "category"
    assert {c["id"]: c["flags"] for c in gap["columns"]} == {"refund": ["gap"]}


def test_markdown_has_one_line_per_role(by_state: Matrix) -> None:
    md = matrix_markdown(by_state)
    table = [line for line in md.splitlines() if line.startswith("|")]
    # header, separator, one line per role, owner check
    assert len(table) == 2 + len(by_state.rows) + 1
    for row in by_state.rows:
        assert len([line for line in table if f"({row.role})" in line]) == 1
    width = len(by_state.columns) + 1
    assert all(line.count(" | ") == width - 1 for line in table if not line.startswith("|---"))
    assert table[-1].startswith("| **owner check** |") and "GAP" not in table[-1]
    assert "⚠" not in table[0]
    # starred cells point at numbered notes below the table
    front = next(line for line in table if "(frontline_agent)" in line)
    assert "H≤200* [" in front
    assert "amount <= 200 and tier in [active, new, returning]" in md.split("| **owner check** |")[1]


def test_html(by_state: Matrix) -> None:
    page = render_html(by_state)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert page.count('<th class="role" scope="row">') == len(by_state.rows)
    frag = render_html(by_state, standalone=False)
    assert "<html" not in frag and "<style>" not in frag and frag.lstrip().startswith("<div")
    assert '<table class="re-matrix">' in frag and "H≤200*" in frag
    gap = render_html(_matrix(BROKEN / "ownership-gap"), standalone=False)
    assert gap.count(f'class="gap" style="background:{GAP_FILL}"') == 4  # header, 2 roles, owner check
    assert "⚠gap" in gap and ">GAP<" in gap


def test_html_in_chinese_shows_both_names() -> None:
    m = _matrix(ROOT, lang="zh")
    assert m.row("frontline_agent").name == "一线客服"
    assert m.column("after_sales/approval").label == "售后退款 / 退款审批"
    page = render_html(m)
    assert '<html lang="zh-CN">' in page and "岗位职责矩阵" in page
    assert "一线客服<small>Frontline agent · frontline_agent</small>" in page
    assert ">售后退款<" in page  # the workflow spans its states in the first header row
    md = matrix_markdown(m)
    assert "一线客服 / Frontline agent (frontline_agent)" in md and "责任检查" in md


def test_user_text_is_escaped() -> None:
    col = Column("w/s", "<b>step</b> | x", ("gap",), "w", "s", None, "<i>flow</i>")
    cell = Cell("w/s", ("H",), "H", "H: a < b & c")
    m = Matrix("state", "en", (col,), (Row("r", "<script>alert(1)</script>", "x", None, (cell,)),), "t")
    page = render_html(m)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;step&lt;/b&gt;" in page and "&lt;i&gt;flow&lt;/i&gt;" in page
    assert "a &lt; b &amp; c" in page and ">H<sup>1</sup></td>" in page
    md = matrix_markdown(m)
    assert "\\| x" in md  # a pipe in a label cannot split the table
