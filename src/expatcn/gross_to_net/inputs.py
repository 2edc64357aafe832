"""What the full month takes: :class:`MonthInputs`, for N employees and one tax year, checked
when built (shapes, no negative pay)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from expatcn.arrays import is_zero
from expatcn.errors import InputError
from expatcn.iit.inputs import YearInputs
from expatcn.social.figures import EmployerRates

MONTHS = 12


@dataclass
class MonthInputs:
    """What the full month takes, for N employees and one tax year.

    income: the IIT inputs (wages, exempt allowances, bonus, labour, equity, residence, …) with
        ``employee_contributions`` left empty — they are computed here.
    city: (N,) city names (``law/social/<city>.yaml``).
    contribution_wage: (N, 12) fen, the wage the city clips to its base limits (default: the
        month's ``wages``; in practice often last year's average monthly wage, declared once a year).
    foreign: (N,) foreign nationals (default ``income.foreigner``).
    nationality, certificate_from, certificate_until: (N,) ISO alpha-2 and ``datetime64[D]`` (NaT: none),
        the certificate of coverage under a bilateral agreement.
    hk_macao_taiwan: (N,) Hong Kong, Macao or Taiwan residents (``participation.hk_macao_taiwan_residents``):
        Decree No. 41 applies to them, not the foreigners' rules; home_coverage: (N,) such a resident
        keeps their own region's social insurance with a certificate (pension and unemployment stay out).
    opt_in: a foreigner joins the schemes a local rule makes optional; housing_fund: opts into
        the housing fund (``participation`` applies the default: Chinese employees always
        enrolled, foreigners only if they opt in).
    local_hukou, work_injury_rate, housing_fund_rate: as in ``contributions`` (ppm, -1 = default).
    pay: (N, 12) fen, the wages this payroll pays (default: ``income.wages``). It differs from
        the taxable ``income.wages`` where only part of the pay is China-source (MOF/STA 2019
        No. 35 apportionment): gross and net are of the pay, IIT of the taxable part.
    bonus_paid, equity_paid: (N, 12) fen, the bonus and equity income this payroll pays (default:
        ``income.bonus`` / ``income.equity``), for the same reason: where a lump sum is apportioned
        by China work days, ``income`` holds the taxable part and these what is paid.
    rates: the employer's own social insurance figures (used where it gives them, labelled).
    paid_here: (N, 12) bool, the months this payroll paid the employee (default: every month
        employed); contributions are computed only for these. A month employed but left out of
        the payroll (no pay: unpaid leave, a leaver) keeps its basic deduction but has none.
    carry_forward: use the last published figure where a month's is not published (labelled);
        False = strict, refuse instead.
    """

    income: YearInputs
    city: np.ndarray
    contribution_wage: np.ndarray | None = None
    foreign: np.ndarray | None = None
    nationality: np.ndarray | None = None
    certificate_from: np.ndarray | None = None
    certificate_until: np.ndarray | None = None
    hk_macao_taiwan: np.ndarray | None = None
    home_coverage: np.ndarray | None = None
    opt_in: np.ndarray | None = None
    housing_fund: np.ndarray | None = None
    local_hukou: np.ndarray | None = None
    work_injury_rate: np.ndarray | None = None
    housing_fund_rate: np.ndarray | None = None
    pay: np.ndarray | None = None
    bonus_paid: np.ndarray | None = None
    equity_paid: np.ndarray | None = None
    rates: EmployerRates | None = None
    paid_here: np.ndarray | None = None
    carry_forward: bool = True

    def __post_init__(self) -> None:
        n = self.income.people
        self.pay = self.income.wages if self.pay is None else np.asarray(self.pay, dtype=np.int64)
        if self.pay.shape != (n, MONTHS) or (self.pay.size and self.pay.min() < 0):
            raise InputError(f"pay must be amounts ≥ 0 of shape ({n}, 12)")
        for name in ("bonus_paid", "equity_paid"):
            value = getattr(self, name)
            if value is not None:
                value = np.asarray(value, dtype=np.int64)
                if value.shape != (n, MONTHS) or (value.size and value.min() < 0):
                    raise InputError(f"{name} must be amounts ≥ 0 of shape ({n}, 12)")
                setattr(self, name, value)
        if not is_zero(self.income.employee_contributions) and self.income.employee_contributions.any():
            raise InputError("income.employee_contributions: leave empty — the full month computes them")
        self.city = np.asarray(self.city, dtype=str) if n else np.asarray([], str)
        if any(name != name.lower() for name in set(self.city.tolist())):
            self.city = np.char.lower(self.city)
        if self.city.shape != (n,):
            raise InputError(f"city must have one entry per person ({n}), got {self.city.shape}")
        if self.contribution_wage is None:
            self.contribution_wage = self.income.wages
        self.contribution_wage = np.asarray(self.contribution_wage, dtype=np.int64)
        if self.contribution_wage.shape != (n, MONTHS):
            raise InputError(f"contribution_wage must have shape ({n}, 12), got {self.contribution_wage.shape}")
        if self.contribution_wage.size and self.contribution_wage.min() < 0:
            raise InputError("contribution_wage must not be negative")
        self.foreign = self.income.foreigner if self.foreign is None else np.asarray(self.foreign, dtype=bool)
        for name in ("hk_macao_taiwan", "home_coverage"):
            value = np.zeros(n, dtype=bool) if getattr(self, name) is None else np.asarray(getattr(self, name), dtype=bool)
            if value.shape != (n,):
                raise InputError(f"{name} must have one entry per person ({n}), got {value.shape}")
            setattr(self, name, value)
        if (self.home_coverage & ~self.hk_macao_taiwan).any():
            raise InputError("home_coverage: only a Hong Kong, Macao or Taiwan resident keeps their own region's social insurance")
        self.foreign = self.foreign & ~self.hk_macao_taiwan  # Decree No. 41, not the foreigners' rules
        if self.certificate_until is not None:
            self.certificate_until = np.asarray(self.certificate_until, dtype="datetime64[D]")
            self.certificate_from = (np.full(n, np.datetime64("NaT"), "datetime64[D]") if self.certificate_from is None
                                     else np.asarray(self.certificate_from, dtype="datetime64[D]"))
            if self.nationality is None:
                raise InputError("certificate_until needs nationality")
            self.nationality = np.asarray(self.nationality, dtype=str)
