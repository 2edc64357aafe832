"""The files of a plan (``expatcn plan --xlsx/--chart``): an Excel workbook (one sheet per structure
plus a comparison sheet, numbers as numbers) and a chart (employer cost per year by structure,
stacked by component; matplotlib, Agg backend). Figures come from :mod:`expatcn.planning`;
nothing is computed here except sums and differences of them. (The plan as data is
``services.plan.PlanAnswer``.)"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from expatcn.money import fen_to_decimal
from expatcn.planning import BY_KEY, COMPONENT_TITLES, COMPONENTS, Difference, Plan, YearFigures


def _minor(amount: int, minor: int) -> Decimal:
    return Decimal(amount) / minor if minor != 1 else Decimal(amount)


# ----------------------------------------------------------------------------- Excel

YEAR_COLUMNS = (
    ("year", "Year"), ("months", "Months"), ("china_iit", "China IIT (RMB)"),
    ("china_employee", "China employee contributions (RMB)"), ("china_employer", "China employer contributions (RMB)"),
    ("abroad_currency", "Other country currency"), ("abroad_employee", "Other country employee contributions"),
    ("abroad_employer", "Other country employer contributions"),
    ("abroad_employee_cny", "Other country employee contributions (RMB)"),
    ("abroad_employer_cny", "Other country employer contributions (RMB)"), ("gross_cny", "Gross pay (RMB)"),
    ("employee_net_cny", "Employee net (RMB)"), ("employer_cost_cny", "Employer cost (RMB)"),
    ("lost_contribution_months", "Lost China contribution months"), ("unknown_months", "Unknown months"),
    ("risks", "Risks"), ("notes", "Notes"),
)
MONEY = '#,##0.00'
FEN_COLUMNS = {"china_iit", "china_employee", "china_employer", "abroad_employee_cny", "abroad_employer_cny",
               "gross_cny", "employee_net_cny", "employer_cost_cny"}


def _cell(y: YearFigures, name: str):
    value = getattr(y, name)
    if name in FEN_COLUMNS:
        return fen_to_decimal(value)
    if name in ("abroad_employee", "abroad_employer"):
        return None if y.abroad_currency is None else _minor(value, y.abroad_minor)
    if isinstance(value, list):
        return "; ".join(value)
    return value


def write_workbook(path: str | Path, plans: list[Plan], differences: list[list[Difference]] | None = None,
                   overlays: list[str] | None = None) -> None:
    """One comparison sheet, one sheet per structure (per assignment), and with an overlay a
    what-if sheet. Amounts are numbers (yuan, two decimals) with a number format."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Comparison"
    row = 1
    for a, plan in enumerate(plans):
        f = plan.assignment
        years = f.years
        ws.cell(row, 1, f.title or f.person.name).font = bold
        row += 1
        for note in plan.assumptions:
            ws.cell(row, 1, note)
            row += 1
        headers = ["Structure", "Status"] + [f"Employer cost {y} (RMB)" for y in years] + [
            "Employer cost total (RMB)", "Employee net total (RMB)", "China IIT total (RMB)",
            "China contributions total (RMB)", "Other country contributions total (RMB)", "Risks"]
        for c, h in enumerate(headers, 1):
            ws.cell(row, c, h).font = bold
        row += 1
        for st in plan.structures:
            values = [st.title, st.status] + [fen_to_decimal(y.employer_cost_cny) for y in st.years]
            china = [st.total("china_employee"), st.total("china_employer")]
            abroad = [st.total("abroad_employee_cny"), st.total("abroad_employer_cny")]
            values += [fen_to_decimal(st.total("employer_cost_cny")), fen_to_decimal(st.total("employee_net_cny")),
                       fen_to_decimal(st.total("china_iit")), fen_to_decimal(sum(china)),
                       None if None in abroad else fen_to_decimal(sum(abroad)), "; ".join(st.risks)]
            for c, v in enumerate(values, 1):
                cell = ws.cell(row, c, v)
                if isinstance(v, Decimal):
                    cell.number_format = MONEY
            row += 1
        ws.cell(row, 1, "Cheapest compliant").font = bold
        ws.cell(row, 2, plan.cheapest or "none")
        ws.cell(row, 3, plan.reason)
        if plan.certificate_saving:
            row += 1
            ws.cell(row, 1, "Certificate").font = bold
            ws.cell(row, 3, plan.certificate_saving)
        row += 2
        for st in plan.structures:
            prefix = f"A{a + 1} " if len(plans) > 1 else ""
            sheet = wb.create_sheet((prefix + BY_KEY[st.key].short)[:31])
            sheet.cell(1, 1, f"{st.title} — {f.title or f.person.name}").font = bold
            sheet.cell(2, 1, f"status: {st.status}" + (f" ({'; '.join(st.reasons)})" if st.reasons else ""))
            r = 3
            for note in st.assumptions + plan.assumptions:
                sheet.cell(r, 1, f"assumption: {note}")
                r += 1
            r += 1
            for c, (_, title) in enumerate(YEAR_COLUMNS, 1):
                sheet.cell(r, c, title).font = bold
            for y in st.years:
                r += 1
                for c, (name, _) in enumerate(YEAR_COLUMNS, 1):
                    v = _cell(y, name)
                    cell = sheet.cell(r, c, v)
                    if isinstance(v, Decimal):
                        cell.number_format = MONEY
            r += 1
            sheet.cell(r, 1, "Total").font = bold
            for c, (name, _) in enumerate(YEAR_COLUMNS, 1):
                if name in FEN_COLUMNS:
                    cell = sheet.cell(r, c, fen_to_decimal(st.total(name)))
                    cell.number_format = MONEY
                elif name in ("abroad_employee", "abroad_employer") and st.years and st.years[0].abroad_currency:
                    cell = sheet.cell(r, c, sum(_minor(getattr(y, name), y.abroad_minor) for y in st.years))
                    cell.number_format = MONEY
                elif name in ("months", "lost_contribution_months"):
                    sheet.cell(r, c, sum(getattr(y, name) for y in st.years))
            for c in range(1, len(YEAR_COLUMNS) + 1):
                sheet.column_dimensions[sheet.cell(1, c).column_letter].width = 18
    ws.column_dimensions["A"].width = 40
    if differences is not None:
        sheet = wb.create_sheet("What-if difference")
        sheet.cell(1, 1, "modified law − current law: " + ", ".join(overlays or [])).font = bold
        r = 2
        for c, h in enumerate(("Assignment", "Structure", "Year", "China IIT (RMB)", "Employee net (RMB)",
                               "Employer cost (RMB)"), 1):
            sheet.cell(r, c, h).font = bold
        for plan, diffs in zip(plans, differences):
            for d in diffs:
                r += 1
                values = (plan.assignment.title or plan.assignment.person.name, d.structure, d.year,
                          fen_to_decimal(d.china_iit), fen_to_decimal(d.employee_net_cny), fen_to_decimal(d.employer_cost_cny))
                for c, v in enumerate(values, 1):
                    cell = sheet.cell(r, c, v)
                    if isinstance(v, Decimal):
                        cell.number_format = MONEY
    wb.save(str(path))


# ----------------------------------------------------------------------------- chart


def render_chart(path: str | Path, plans: list[Plan]) -> int:
    """Employer cost per year by structure, stacked by component (pay, China employer
    contributions, the other country's employer contributions; RMB). One panel per assignment.
    A year that is not complete is hatched; a structure that is not applicable gets no bar. Returns
    the number of bars drawn (applicable structure-years with an RMB employer cost); each bar segment carries the SVG id ``bar-<a>-<structure>-<year>-<component>``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    colours = {"gross": "#4C72B0", "china_employer": "#DD8452", "abroad_employer": "#55A868"}
    fig, axes = plt.subplots(len(plans), 1, figsize=(11, 5.6 * len(plans)), squeeze=False)
    bars = 0
    for a, (plan, ax) in enumerate(zip(plans, axes[:, 0])):
        years = plan.assignment.years
        shown = plan.structures
        width = 0.8 / max(len(shown), 1)
        ticks, tick_labels = [], []
        for s, st in enumerate(shown):
            for i, y in enumerate(st.years):
                x = i + (s - (len(shown) - 1) / 2) * width
                ticks.append(x)
                tick_labels.append(BY_KEY[st.key].short)
                if not st.applicable or y.employer_cost_cny is None:
                    ax.text(x, 0.02, "not applicable" if not st.applicable else "no RMB figure (fx)", rotation=90,
                            ha="center", va="bottom", fontsize=8, transform=ax.get_xaxis_transform())
                    continue
                bottom = 0.0
                for name in COMPONENTS:
                    value = float(fen_to_decimal(y.component(name) or 0))
                    rect = ax.bar(x, value, width * 0.92, bottom=bottom, color=colours[name],
                                  edgecolor="white" if y.complete else "black",
                                  hatch=None if y.complete else "//", linewidth=0.6)[0]
                    rect.set_gid(f"bar-{a}-{st.key}-{y.year}-{name}")
                    bottom += value
                ax.text(x, bottom, f"{bottom / 1e6:.2f}" + ("" if y.complete else "*"), ha="center", va="bottom",
                        fontsize=7)
                bars += 1
        ax.set_xticks(ticks, tick_labels, rotation=35, ha="right", fontsize=7)
        for i, year in enumerate(years):
            ax.annotate(str(year), xy=(i, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 4),
                        textcoords="offset points", ha="center", va="bottom", fontsize=10, fontweight="bold")
        for i in range(1, len(years)):
            ax.axvline(i - 0.5, color="#cccccc", linewidth=0.8)
        ax.set_xlim(-0.5, len(years) - 0.5)
        ax.set_ylabel("employer cost, million RMB")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:.1f}"))
        ax.margins(y=0.12)
        title = plan.assignment.title or plan.assignment.person.name
        ax.set_title(f"Employer cost per year by structure — {title}", fontsize=10, pad=22)
        handles = [plt.Rectangle((0, 0), 1, 1, color=colours[n]) for n in COMPONENTS]
        labels = [COMPONENT_TITLES[n] for n in COMPONENTS]
        if any(not y.complete for st in shown for y in st.years):
            handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="//"))
            labels.append("incomplete year (*): unknown months")
        ax.legend(handles, labels, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.42), ncol=len(labels),
                  frameon=False)
    fig.tight_layout()
    fig.savefig(str(path), dpi=110)
    plt.close(fig)
    return bars

