"""``expatcn outbound``: a Chinese employee sent abroad — host contributions, what the agreement
removes, the double-contribution exposure, and the certificate-of-coverage alerts
(:mod:`expatcn.services.outbound`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from expatcn.cli import app
from expatcn.cli.common import UserError, print_json, user_errors

if TYPE_CHECKING:
    from expatcn.services.outbound import Outbound


@app.command("outbound")
def outbound(
    scenario: Annotated[Path, typer.Argument(help="outbound scenario file (.yaml or .json)")],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    fx: Annotated[str, typer.Option("--fx", help="RMB per unit of the host currency, e.g. 7.10")] = "",
) -> None:
    """The two-country picture of outbound assignments, month by month, with certificate alerts."""
    from expatcn.services import outbound as service  # start-up speed: see expatcn.cli

    with user_errors():
        try:
            rate = Decimal(fx) if fx else None
        except InvalidOperation:
            raise UserError(f"--fx expects RMB per host currency unit such as 7.10, got {fx!r}") from None
        if rate is not None and rate <= 0:
            raise UserError("--fx must be positive")
        answer = service.outbound(service.read_outbound(scenario), rate)
    if as_json:
        print_json(answer)
        return
    _print(answer)


def _print(a: Outbound) -> None:
    console = Console()
    if a.title:
        console.print(f"[bold]{a.title}[/bold]")
    for d in a.assignments:
        console.print(f"\n[bold]{d.name}[/bold] — {d.host_country} {d.start}..{d.end} (amounts in {d.currency})")
        c = d.certificate
        if c.agreement:
            console.print(f"agreement: {c.agreement} — removes abroad: {', '.join(c.china_exempt_abroad)}; "
                          f"max {c.max_secondment_months} months; certificate {c.start}..{c.expiry}, "
                          f"renewal alert {c.renewal_alert} (confidence {c.confidence})")
        if d.employer_class:
            e = d.employer_class
            how = " (assumed: give host_employer_class)" if e.assumed else ""
            console.print(f"employer class: {e.name}{how}", markup=False)
        grid = Table("month", "wage", "cert", "employer", "employee", "removed", "double exposure")
        for m in d.months:
            grid.add_row(m.month, m.host_wage, "yes" if m.certificate_covers else "—", m.host_employer,
                         m.host_employee, m.removed_by_agreement, m.double_exposure)
        tot = d.totals
        grid.add_row("total", "", "", tot.host_employer, tot.host_employee, tot.removed_by_agreement, tot.double_exposure)
        console.print(grid)
        if tot.fx_cny_per_unit is not None:
            console.print(f"in RMB at {tot.fx_cny_per_unit}: employer {tot.host_employer_cny}, employee "
                          f"{tot.host_employee_cny}, removed {tot.removed_by_agreement_cny}, "
                          f"double exposure {tot.double_exposure_cny}")
        for alert in d.alerts:
            console.print("alert: " + alert, soft_wrap=True, markup=False, style="yellow")
        china = d.china_side
        if china.computed:
            console.print(f"China side ({china.city}, RMB, continuing): employer {china.employer_total}, "
                          f"employee {china.employee_total} over the assignment", markup=False)
            for item in china.assumptions:
                console.print(f"  assumption: {item}", soft_wrap=True, markup=False)
        else:
            console.print(f"China side: {china.note}", markup=False)
        _print_taxes(console, d)
        if d.schemes_not_modelled:
            console.print(f"not modelled: {', '.join(d.schemes_not_modelled)}", soft_wrap=True)
        console.print("law:")
        if c.agreement is not None:
            console.print(f"  - {c.agreement} [{c.confidence}]: " + "; ".join(c.sources), soft_wrap=True, markup=False)
        for ref in d.law:
            console.print(f"  - {ref.describe()}", soft_wrap=True, markup=False)


def _print_taxes(console: Console, d) -> None:
    """Income tax on both sides, the foreign tax credit and the net, year by year."""
    t = d.taxes
    grid = Table("year", f"host income ({d.currency})", f"host tax ({d.currency})", "host tax RMB",
                 "China tax before credit", "credit", "China tax after credit", "carried forward", "net RMB",
                 title="Income tax (host and China) and the true net")
    for y in t.years:
        grid.add_row(str(y.year), y.host_income, y.host_tax or "—", y.host_tax_cny or "—",
                     y.china_tax_before_credit or "—", y.credit or "—", y.china_tax_after_credit or "—",
                     y.carried_forward or "—", y.net_cny or "—")
    console.print(grid)
    console.print("net = host wage in RMB − host tax − host employee contributions − China tax after credit − "
                  "China employee contributions", soft_wrap=True, markup=False)
    for note in t.notes:
        console.print(f"  tax: {note}", soft_wrap=True, markup=False)
    if t.law:
        console.print("  tax law: " + "; ".join(f"{ref.table} ({ref.start}.., {ref.confidence})" for ref in t.law),
                      soft_wrap=True, markup=False)
