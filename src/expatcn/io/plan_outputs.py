"""The files of a plan (``expatcn plan --xlsx/--chart``): an Excel workbook (one sheet per structure
plus a comparison sheet, numbers as numbers) and a chart (employer cost per year by structure,
stacked by component; matplotlib, Agg backend). Figures come from :mod:`expatcn.planning`;
nothing is computed here except sums and differences of them. (The plan as data is
``services.plan.PlanAnswer``.)"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from expatcn.io.exports.common import neutralise
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
    ("abroad_employer_cny", "Other country employer contributions (RMB)"),
    ("host_tax", "Host income tax"), ("host_tax_cny", "Host income tax (RMB)"),
    ("china_tax_before_credit", "China tax before credit (RMB)"), ("credit", "Foreign tax credit (RMB)"),
    ("china_tax_after_credit", "China tax after credit (RMB)"),
    ("carried_forward", "Foreign tax carried forward (RMB)"), ("hypothetical_tax", "Hypothetical tax (RMB)"),
    ("hypothetical_true_up", "Hypothetical tax true-up (RMB)"),
    ("hypothetical_contributions", "Hypothetical contributions (RMB)"),
    ("equalization_cost", "Equalization cost (RMB)"), ("gross_cny", "Gross pay (RMB)"),
    ("employee_net_cny", "Employee net (RMB)"), ("employer_cost_cny", "Employer cost (RMB)"),
    ("lost_contribution_months", "Lost China contribution months"), ("unknown_months", "Unknown months"),
    ("risks", "Risks"), ("notes", "Notes"),
)
MONEY = '#,##0.00'
FEN_COLUMNS = {"china_iit", "china_employee", "china_employer", "abroad_employee_cny", "abroad_employer_cny",
               "gross_cny", "employee_net_cny", "employer_cost_cny", "host_tax_cny", "china_tax_before_credit",
               "credit", "china_tax_after_credit", "hypothetical_tax", "hypothetical_true_up",
               "hypothetical_contributions", "equalization_cost"}
LAST_YEAR_COLUMNS = {"carried_forward"}  # a balance: the total row shows the last year's


def _cell(y: YearFigures, name: str):
    value = getattr(y, name)
    if name in FEN_COLUMNS | LAST_YEAR_COLUMNS:
        return fen_to_decimal(value)
    if name in ("abroad_employee", "abroad_employer", "host_tax"):
        return None if y.abroad_currency is None or value is None else _minor(value, y.abroad_minor)
    if isinstance(value, list):
        return "; ".join(value)
    return value


def _sum_of(st, name: str) -> Decimal | None:
    """Σ over the years in yuan; None where a year lacks it (an absent host tax or equalization
    counts as nothing only when no year has it)."""
    values = [getattr(y, name) for y in st.years]
    if all(v is None for v in values):
        return None
    return None if any(v is None for v in values) else fen_to_decimal(sum(values))


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
            "China contributions total (RMB)", "Other country contributions total (RMB)",
            "Host income tax total (RMB)", "China tax after credit total (RMB)", "Equalization cost total (RMB)",
            "Risks"]
        for c, h in enumerate(headers, 1):
            ws.cell(row, c, h).font = bold
        row += 1
        for st in plan.structures:
            values = [st.title, st.status] + [fen_to_decimal(y.employer_cost_cny) for y in st.years]
            china = [st.total("china_employee"), st.total("china_employer")]
            abroad = [st.total("abroad_employee_cny"), st.total("abroad_employer_cny")]
            values += [fen_to_decimal(st.total("employer_cost_cny")), fen_to_decimal(st.total("employee_net_cny")),
                       fen_to_decimal(st.total("china_iit")), fen_to_decimal(sum(china)),
                       None if None in abroad else fen_to_decimal(sum(abroad)), _sum_of(st, "host_tax_cny"),
                       fen_to_decimal(st.total("china_tax_after_credit")), _sum_of(st, "equalization_cost"),
                       "; ".join(st.risks)]
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
                    cell = sheet.cell(r, c, _sum_of(st, name))
                    cell.number_format = MONEY
                elif name in LAST_YEAR_COLUMNS and st.years:
                    cell = sheet.cell(r, c, fen_to_decimal(getattr(st.years[-1], name)))
                    cell.number_format = MONEY
                elif name in ("abroad_employee", "abroad_employer", "host_tax") and st.years and st.years[0].abroad_currency:
                    cell = sheet.cell(r, c, sum(_minor(getattr(y, name) or 0, y.abroad_minor) for y in st.years))
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
    neutralise(wb)  # a title or name typed as =… stays text
    wb.save(str(path))


# ----------------------------------------------------------------------------- chart


def render_chart(path: str | Path, plans: list[Plan]) -> int:
    """Employer cost per year by structure, stacked by component (pay, China employer
    contributions, the other country's employer contributions, the tax equalization cost; RMB).
    One panel per assignment. The cheapest compliant structure is outlined in gold and starred; a
    structure that is not compliant is faded, cross-hatched and labelled so (an alternative work
    pattern is faded); a year that is not complete is hatched; a structure that is not applicable
    gets no bar. Each bar's label carries the SVG id ``mark-<a>-<structure>-<year>-<cheapest|status>``. Returns
    the number of bars drawn (applicable structure-years with an RMB employer cost); each bar segment carries the SVG id ``bar-<a>-<structure>-<year>-<component>``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    colours = {"gross": "#4C72B0", "china_employer": "#DD8452", "abroad_employer": "#55A868", "equalization": "#C44E52"}
    fig, axes = plt.subplots(len(plans), 1, figsize=(11, 5.6 * len(plans)), squeeze=False)
    bars = 0
    for a, (plan, ax) in enumerate(zip(plans, axes[:, 0])):
        years = plan.assignment.years
        shown = plan.structures
        width = 0.8 / max(len(shown), 1)
        highest = 0.0
        ticks, tick_labels = [], []
        for s, st in enumerate(shown):
            cheapest = st.key == plan.cheapest
            for i, y in enumerate(st.years):
                x = i + (s - (len(shown) - 1) / 2) * width
                ticks.append(x)
                tick_labels.append(("★ " if cheapest else "") + BY_KEY[st.key].short)
                if not st.applicable or y.employer_cost_cny is None:
                    ax.text(x, 0.02, "not applicable" if not st.applicable else "no RMB figure (fx)", rotation=90,
                            ha="center", va="bottom", fontsize=8, transform=ax.get_xaxis_transform())
                    continue
                bottom = 0.0
                faded = not st.compliant or not st.comparable  # shown for what it costs, never chosen
                for name in COMPONENTS:
                    value = float(fen_to_decimal(y.component(name) or 0))
                    rect = ax.bar(x, value, width * 0.92, bottom=bottom, color=colours[name],
                                  alpha=0.35 if faded else 1.0,
                                  edgecolor="#B8860B" if cheapest else ("white" if y.complete else "black"),
                                  hatch="xx" if not st.compliant else (None if y.complete else "//"),
                                  linewidth=2.0 if cheapest else 0.6)[0]
                    rect.set_gid(f"bar-{a}-{st.key}-{y.year}-{name}")
                    bottom += value
                highest = max(highest, bottom)
                label = f"{bottom / 1e6:.2f}" + ("" if y.complete else "*")
                if cheapest:
                    label = "★ cheapest compliant\n" + label
                elif not st.compliant:
                    label = "not compliant\n" + label
                text = ax.text(x, bottom, label, ha="center", va="bottom", fontsize=7,
                               fontweight="bold" if cheapest else "normal",
                               color="#B22222" if not st.compliant else "black")
                text.set_gid(f"mark-{a}-{st.key}-{y.year}-{'cheapest' if cheapest else st.status.replace(' ', '_')}")
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
        ax.set_ylim(0, max(highest, 1.0) * 1.18)  # room above the tallest bar for its labels
        title = plan.assignment.title or plan.assignment.person.name
        ax.set_title(f"Employer cost per year by structure — {title}", fontsize=10, pad=22)
        used = [n for n in COMPONENTS if n != "equalization" or any(y.equalization_cost for st in shown
                                                                     for y in st.years)]
        handles = [plt.Rectangle((0, 0), 1, 1, color=colours[n]) for n in used]
        labels = [COMPONENT_TITLES[n] for n in used]
        if plan.cheapest is not None:
            handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="#B8860B", linewidth=2))
            labels.append("★ cheapest compliant")
        if any(not st.compliant for st in shown):
            handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="#dddddd", edgecolor="black", hatch="xx"))
            labels.append("not compliant (not chosen)")
        if any(not y.complete for st in shown for y in st.years):
            handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="//"))
            labels.append("incomplete year (*): unknown months")
        ax.legend(handles, labels, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.45), ncol=min(len(labels), 4),
                  frameon=False)
    fig.tight_layout()
    fig.savefig(str(path), dpi=110)
    plt.close(fig)
    return bars

