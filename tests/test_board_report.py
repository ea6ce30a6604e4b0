"""`pmo-tui report`: its figures against the database, and the HTML in a real headless browser.

The figures are recomputed here with plain SQL and Python from the store (the
overall status is the latest status report's up to the status date, else the
project's RAG; the forecast is BAC / CPI where a report gives progress and
cost, else the budget), not with the code that made the report. The browser
test opens the HTML in Debian's ``chromium`` (.ci/run installs it), checks that
every chart is drawn with a size, that the page logs nothing to the console and
loads nothing from the network, and that it prints on A4.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_tui.cli import cli

AS_OF = "2026-11-30"
GMPP = Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "gmpp_uk_2023.csv"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args], obj={}, catch_exceptions=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.db"
    assert _run(db, "db", "init").exit_code == 0
    out = folder / "report.html"
    assert _run(db, "report", "--format", "html", "--as-of", AS_OF, "-o", str(out)).exit_code == 0
    return db, out.read_text(encoding="utf-8")


def _figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([a-z_]+)"[^>]*>([^<]*)<', page))


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _expected(db: Path, as_of: str) -> dict[str, object]:
    with sqlite3.connect(db) as connection:
        projects = connection.execute("SELECT id, rag, budget, actual_cost FROM project").fetchall()
        latest = {}
        for pid, _day, overall, progress, cost in connection.execute(
            "SELECT project_id, reported_on, overall, percent_complete, actual_cost "
            "FROM status_report WHERE reported_on <= ? ORDER BY reported_on",
            [as_of],
        ):
            latest[pid] = (overall, progress, cost)
    counts = {"green": 0, "amber": 0, "red": 0}
    baseline = forecast = 0.0
    for pid, rag, budget, actual in projects:
        overall, progress, cost = latest.get(pid, (rag, None, None))
        counts[overall] += 1
        if budget is None:
            continue
        baseline += budget
        cost = cost if cost is not None else actual
        if progress is not None and cost:
            cpi = budget * progress / 100 / cost
            forecast += budget / cpi
        else:
            forecast += budget
    return {"projects": len(projects), **counts, "baseline": baseline, "forecast": forecast}


def test_the_demo_report_figures_match_the_database(demo):
    db, page = demo
    figures = _figures(page)
    expected = _expected(db, AS_OF)

    assert figures["as_of"] == AS_OF
    for key in ("projects", "green", "amber", "red"):
        assert figures[key] == str(expected[key]), key
    assert figures["not_rated"] == "0"
    assert figures["baseline"] == _money(expected["baseline"])  # type: ignore[arg-type]
    assert figures["forecast"] == _money(expected["forecast"])  # type: ignore[arg-type]
    variance = expected["forecast"] - expected["baseline"]  # type: ignore[operator]
    assert figures["variance"].startswith(_money(variance))
    assert expected["forecast"] != expected["baseline"]  # the demo's EVM moves the forecast


def test_the_demo_report_gives_earned_value_per_project_as_the_database_does(demo):
    db, page = demo
    day = dt.date.fromisoformat(AS_OF)
    with sqlite3.connect(db) as connection:
        projects = {
            pid: (budget, dt.date.fromisoformat(start), dt.date.fromisoformat(finish), actual)
            for pid, budget, start, finish, actual in connection.execute(
                "SELECT id, budget, start, finish, actual_cost FROM project"
            )
        }
        latest = {}
        for pid, progress, cost in connection.execute(
            "SELECT project_id, percent_complete, actual_cost FROM status_report "
            "WHERE reported_on <= ? ORDER BY reported_on",
            [AS_OF],
        ):
            latest[pid] = (progress, cost)
    expected = []
    for pid, (progress, cost) in latest.items():
        budget, start, finish, actual = projects[pid]
        if progress is None or budget is None:
            continue
        # PMI: PV on a linear baseline, EV = BAC x % complete, CPI = EV / AC, SPI = EV / PV,
        # EAC = BAC / CPI, VAC = BAC - EAC.
        planned = min(max((day - start).days / (finish - start).days, 0.0), 1.0)
        pv, ev, ac = budget * planned, budget * progress / 100, cost if cost is not None else actual
        cpi, spi = ev / ac, ev / pv
        eac = budget / cpi
        row = (pid, *map(_money, (budget, pv, ev, ac)), f"{cpi:.2f}", f"{spi:.2f}")
        expected.append((budget - eac, (*row, _money(eac), _money(budget - eac))))
    section = page[page.index('id="evm"') : page.index('id="capacity"')]
    shown = [
        tuple(html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row))
        for row in section.split("<tr>")[2:]
    ]

    assert len(expected) > 5
    assert shown == [row for _, row in sorted(expected, key=lambda e: (e[0], e[1][0]))]


def test_the_demo_report_names_what_the_board_needs(demo):
    db, page = demo
    with sqlite3.connect(db) as connection:
        top = connection.execute(
            "SELECT title, probability * impact FROM raid_entry WHERE kind = 'risk' "
            "AND state = 'open' AND raised_on <= ? ORDER BY 2 DESC, raised_on, id LIMIT 1",
            [AS_OF],
        ).fetchone()
        portfolios = connection.execute("SELECT name FROM portfolio ORDER BY name").fetchall()
    risks = page[page.index('id="risks"') : page.index('id="decisions"')]
    assert top[0] in risks and f">{top[1]}<" in risks
    for (name,) in portfolios:
        assert f"<td>{html.escape(name)}</td>" in page
    for section in ("watermelons", "dependencies", "capacity", "bottlenecks", "changed"):
        assert f'<section id="{section}">' in page
    assert "late" in page[page.index('id="dependencies"') : page.index('id="cost"')]
    assert page.count("<svg") == 3 and len(re.findall(r'data-chart="(\w+)"', page)) == 3
    assert "Imported portfolio snapshots" not in page  # the demo has status reports only


def test_the_html_is_self_contained(demo):
    _, page = demo
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'\b(src|href)="(?!#|data:image/png;base64,)', page)
    assert not re.search(r"url\((?!#)", page) and "@import" not in page
    assert "@page { size: A4" in page


def _gmpp_figures(tmp_path: Path) -> tuple[dict[str, str], str, Path]:
    db = tmp_path / "gmpp.db"
    assert _run(db, "db", "init", "--empty").exit_code == 0
    assert _run(db, "import", "portfolio", str(GMPP)).exit_code == 0
    out = tmp_path / "gmpp.html"
    assert (
        _run(db, "report", "--format", "html", "--as-of", "2023-06-30", "-o", str(out)).exit_code
        == 0
    )
    page = out.read_text(encoding="utf-8")
    return _figures(page), page, out


def _gmpp_rows() -> list[list[str]]:
    """The records of the real GMPP file, read with the csv module (not pmo-tui's reader)."""
    text = GMPP.read_bytes().decode("iso-8859-1")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))[1:]


def _portfolio_names(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT id, name FROM portfolio"))


@pytest.mark.skipif(not GMPP.exists(), reason="needs ../shared/real-samples")
def test_the_gmpp_report_figures_match_the_file(tmp_path):
    figures, page, _ = _gmpp_figures(tmp_path)
    rows = _gmpp_rows()

    def total(position: int) -> float:
        values = [r[position] for r in rows if re.fullmatch(r"-?\d+(\.\d+)?", r[position])]
        return sum(float(v) * 1e6 for v in values)

    assert figures["projects"] == "244"
    # The file's year is one snapshot, as at 31 March of it, with every row of the file.
    assert "Imported portfolio snapshots: gmpp 2023 as at 2023-03-31 (244 projects)." in page
    # Overall = the IPA rating's RAG (no status reports): Red 18, Amber 88, Green 5, and the
    # 133 projects without a rating (blank, exempt, early planning) counted as not rated.
    assert (figures["red"], figures["amber"], figures["green"]) == ("18", "88", "5")
    assert figures["not_rated"] == "133"
    assert figures["baseline"] == _money(total(12))
    assert figures["forecast"] == _money(total(13))
    confidence = page[page.index('id="confidence"') : page.index('id="changed"')]
    cells = "".join(f'<td class="num">{n}</td>' for n in (2023, 5, 88, 18, 133))
    assert cells in confidence  # period, Green, Amber, Red, Not rated


@pytest.mark.skipif(not GMPP.exists(), reason="needs ../shared/real-samples")
def test_the_gmpp_report_counts_every_project_of_each_department(tmp_path):
    _, page, _ = _gmpp_figures(tmp_path)
    rows = _gmpp_rows()
    names = _portfolio_names(tmp_path / "gmpp.db")
    # From the file: every row of a department counts; a row whose IPA rating (column 7)
    # is not Red, Amber or Green (blank, exempt, early planning) is not rated; the status
    # is the worst rated row's (worst-of roll-up), "not rated" when none is rated.
    expected: dict[str, tuple[str, str, str]] = {}
    for code in {r[3] for r in rows}:
        ratings = [r[6] for r in rows if r[3] == code]
        rated = [g for g in ("Red", "Amber", "Green") if g in ratings]
        status = {"Red": "■ red", "Amber": "▲ amber", "Green": "● green"}.get(
            rated[0] if rated else "", "· not rated"
        )
        unrated = sum(g not in ("Red", "Amber", "Green") for g in ratings)
        expected[names[code]] = (status, str(len(ratings)), str(unrated))
    section = page[page.index('id="portfolios"') : page.index('id="programs"')]
    cells = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in section.split("<tr>")[2:]]
    shown = {html.unescape(c[0]): (c[1], c[3], c[4]) for c in cells}

    assert shown == expected
    assert shown["Ministry of Defence"][1] == "52"
    assert shown["Department for Business and Trade"] == ("· not rated", "3", "3")


@pytest.mark.skipif(not GMPP.exists(), reason="needs ../shared/real-samples")
def test_the_markdown_cost_section_lists_each_department_by_overspend(tmp_path):
    _gmpp_figures(tmp_path)
    out = tmp_path / "gmpp.md"
    assert (
        _run(tmp_path / "gmpp.db", "report", "--as-of", "2023-06-30", "-o", str(out)).exit_code == 0
    )
    text = out.read_text(encoding="utf-8")
    rows = _gmpp_rows()
    names = _portfolio_names(tmp_path / "gmpp.db")
    number = re.compile(r"-?\d+(\.\d+)?")
    # From the file: per department, the sums of total_baseline (column 13) and
    # forecast_incl_NGC (14) in GBP million over the rows where both are numbers
    # (the withheld cells are withheld in both), the variance and its share of the baseline.
    expected = []
    for code in {r[3] for r in rows}:
        both = [
            r for r in rows if r[3] == code and number.fullmatch(r[12]) and number.fullmatch(r[13])
        ]
        baseline = sum(float(r[12]) for r in both) * 1e6
        forecast = sum(float(r[13]) for r in both) * 1e6
        share = round(100 * (forecast - baseline) / baseline, 1) if baseline else None
        expected.append((names[code], _money(baseline), _money(forecast),
                         _money(forecast - baseline), "-" if share is None else f"{share:+.1f}", share))  # fmt: skip
    expected.sort(key=lambda e: (e[5] is None, -(e[5] or 0), e[0]))
    section = text[text.index("## Cost:") : text.index("## Capacity outlook")]
    table = [
        tuple(cell.strip() for cell in line.strip("|\n").split("|"))
        for line in section.splitlines()[4:]
        if line.startswith("| ") and not line.startswith("| name")
    ]

    assert table == [e[:5] for e in expected]
    assert table[0][0] == "Office for National Statistics"  # +7.3 %: the largest overspend


def _browser(html_file: Path, tmp_path: Path) -> tuple[dict, str]:
    """Open a copy of ``html_file`` with a probe script; return what it measured and stderr."""
    probe = """<script>
    const charts = [...document.querySelectorAll("figure.chart svg")].map(svg => {
      const box = svg.getBoundingClientRect();
      return {chart: svg.parentElement.dataset.chart, width: box.width, height: box.height,
              texts: svg.querySelectorAll("text").length};
    });
    document.title = JSON.stringify({charts, sections: document.querySelectorAll("section").length,
                                     width: document.body.scrollWidth});
    </script></body>"""
    copy = tmp_path / "probe.html"
    copy.write_text(
        html_file.read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8"
    )
    measured = _chromium(["--dump-dom", copy.as_uri()])
    title = re.search(r"<title>(.*?)</title>", measured.stdout, re.S)
    assert title, measured.stdout[:500]
    plain = _chromium(["--dump-dom", html_file.as_uri()])
    return json.loads(title.group(1).replace("&quot;", '"')), measured.stderr + plain.stderr


def _chromium(args: list[str]) -> subprocess.CompletedProcess:
    command = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--enable-logging=stderr", "--v=0", "--window-size=1100,1400", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def _require_browser() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "net::ERR" in line]


def test_the_demo_report_renders_its_charts_in_headless_chromium(demo, tmp_path):
    _require_browser()
    _, page = demo
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")

    measured, stderr = _browser(html_file, tmp_path)

    assert [c["chart"] for c in measured["charts"]] == ["confidence", "cost", "capacity"]
    for chart in measured["charts"]:
        assert chart["width"] > 300 and chart["height"] > 100 and chart["texts"] > 5, chart
    assert measured["sections"] == 14
    assert measured["width"] <= 1100  # nothing overflows the page sideways
    assert _console(stderr) == []


@pytest.mark.skipif(not GMPP.exists(), reason="needs ../shared/real-samples")
def test_the_gmpp_report_renders_and_prints_on_a4(tmp_path):
    _require_browser()
    _, _, html_file = _gmpp_figures(tmp_path)

    measured, stderr = _browser(html_file, tmp_path)
    pdf = tmp_path / "gmpp.pdf"
    _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", html_file.as_uri()])

    assert [c["chart"] for c in measured["charts"]] == ["confidence", "cost"]  # no capacity data
    assert all(c["width"] > 300 and c["height"] > 100 for c in measured["charts"])
    assert _console(stderr) == []
    boxes = set(re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes()))
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}  # A4 in points
