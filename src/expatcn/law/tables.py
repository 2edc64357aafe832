"""The law tables the engines read, as typed references: ``law.value(BASIC_DEDUCTION, day)`` is a
:class:`~expatcn.law.schemas.iit.BasicDeduction` for the type checker, and every user of a table is
found by searching for its name here. A reference is the table's file name under ``law/``
(``iit/basic_deduction`` ↔ ``law/iit/basic_deduction.yaml``). City and host-country tables are
looked up by name (``social/<city>``, ``social/host/<country>``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from expatcn.law.schemas.calendar import FilingDeadlines, WithholdingDeadlines
from expatcn.law.schemas.common import TaxSchedule, Window
from expatcn.law.schemas.host_tax import ContributionReliefs
from expatcn.law.schemas.identity import IdentityDocuments
from expatcn.law.schemas.iit import (
    AnnualBonus,
    BasicDeduction,
    EquityIncentiveSeparate,
    ExpatAllowanceExemption,
    ForeignCurrencyConversion,
    LabourRemuneration,
    LowIncomeSimplification,
    NonresidentSpread,
    ReconciliationExemption,
    SpecialAdditionalDeductions,
    WageWithholdingMethod,
)
from expatcn.law.schemas.iit_deductions import (
    EquityInstalments,
    EquityMonthsDivisor,
    ExemptIncome,
    OtherDeductionCap,
)
from expatcn.law.schemas.residency import Treaty183
from expatcn.law.schemas.social import HousingFundTaxCap, SocialForeigners, SocialHongKongMacaoTaiwan
from expatcn.law.schemas.social_international import SocialAgreements
from expatcn.law.schemas.social_refund import PensionRefund

V = TypeVar("V")


@dataclass(frozen=True)
class TableRef(Generic[V]):
    """A law table by name, with the schema of its values."""

    name: str
    schema: type[V]

    def __str__(self) -> str:
        return self.name


# IIT
WAGE_WITHHOLDING_METHOD = TableRef("iit/wage_withholding_method", WageWithholdingMethod)
BASIC_DEDUCTION = TableRef("iit/basic_deduction", BasicDeduction)
MONTHLY_TABLE = TableRef("iit/monthly_table", TaxSchedule)
ANNUAL_TABLE = TableRef("iit/annual_table", TaxSchedule)
NEW_HIRE_DEDUCTION = TableRef("iit/new_hire_deduction_from_january", Window)
LOW_INCOME_SIMPLIFICATION = TableRef("iit/low_income_simplification", LowIncomeSimplification)
ANNUAL_BONUS = TableRef("iit/annual_bonus", AnnualBonus)
NONRESIDENT_MULTIMONTH_BONUS = TableRef("iit/nonresident_multimonth_bonus", NonresidentSpread)
EQUITY_INCENTIVE_SEPARATE = TableRef("iit/equity_incentive_separate", EquityIncentiveSeparate)
NONRESIDENT_EQUITY_INCENTIVE = TableRef("iit/nonresident_equity_incentive", NonresidentSpread)
LABOUR_REMUNERATION = TableRef("iit/labour_remuneration", LabourRemuneration)
LABOUR_PREPAYMENT_TABLE = TableRef("iit/labour_prepayment_table", TaxSchedule)
EXPAT_ALLOWANCE_EXEMPTION = TableRef("iit/expat_allowance_exemption", ExpatAllowanceExemption)
SPECIAL_ADDITIONAL_DEDUCTIONS = TableRef("iit/special_additional_deductions", SpecialAdditionalDeductions)
FOREIGN_CURRENCY = TableRef("iit/foreign_currency", ForeignCurrencyConversion)
RECONCILIATION_EXEMPTION = TableRef("iit/reconciliation_exemption", ReconciliationExemption)
EXEMPT_INCOME = TableRef("iit/exempt_income", ExemptIncome)
INDIVIDUAL_PENSION = TableRef("iit/individual_pension", OtherDeductionCap)
COMMERCIAL_HEALTH_INSURANCE = TableRef("iit/commercial_health_insurance", OtherDeductionCap)
TAX_DEFERRED_PENSION = TableRef("iit/tax_deferred_pension", OtherDeductionCap)
INTERN_CUMULATIVE_WITHHOLDING = TableRef("iit/intern_cumulative_withholding", Window)
EQUITY_INCENTIVE_PRE2019 = TableRef("iit/equity_incentive_pre2019", EquityMonthsDivisor)
EQUITY_INSTALMENTS = TableRef("iit/equity_instalments", EquityInstalments)

# residency (the other residency tables are read together by expatcn.residency.rules)
TREATY_183 = TableRef("residency/treaty_183", Treaty183)

# social insurance
SOCIAL_FOREIGNERS = TableRef("social/foreigners", SocialForeigners)
SOCIAL_AGREEMENTS = TableRef("social/agreements", SocialAgreements)
SOCIAL_HK_MACAO_TAIWAN = TableRef("social/hk_macao_taiwan", SocialHongKongMacaoTaiwan)
HOUSING_FUND_TAX_CAP = TableRef("social/housing_fund_tax_cap", HousingFundTaxCap)
PENSION_REFUND = TableRef("social/pension_refund", PensionRefund)

# filing
WITHHOLDING_DEADLINES = TableRef("calendar/withholding_deadlines", WithholdingDeadlines)
FILING_DEADLINES = TableRef("calendar/filing_deadlines", FilingDeadlines)
STATUS_CHANGE_REPORTS = TableRef("calendar/status_change_reports", FilingDeadlines)

# host countries (their income tax tables are looked up by name: host_tax/<iso2>)
HOST_CONTRIBUTION_RELIEF = TableRef("host_tax/contribution_relief", ContributionReliefs)

# identity documents
IDENTITY_DOCUMENTS = TableRef("identity/documents", IdentityDocuments)
