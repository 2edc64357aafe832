"""A small company month for the export tests, computed by the engines (Shanghai, 2025):
a Chinese resident with special additional deductions, a resident expat with exempt
allowances and a bonus taxed separately in March, a resident expat without housing fund, and a
non-resident."""

from __future__ import annotations

import numpy as np

from expatcn.iit.inputs import YearInputs
from expatcn.io.exports import month_figures, year_figures
from expatcn.law import load_law
from expatcn.gross_to_net import MonthInputs, explain_month, gross_to_net

MONTH = 3
IDS = ["E001", "E002", "E003", "E004"]
RECORDS = [
    {"employee_id": "E001", "name": "王小明", "id_type": "resident_id", "id_number": "310101199001011234",
     "nationality": "CN", "city": "Shanghai", "department": "Finance"},
    {"employee_id": "E002", "name": "Anna Schmidt", "name_zh": "施安娜", "id_type": "passport",
     "id_number": "C01X00T47", "nationality": "DE", "city": "Shanghai", "department": "Engineering"},
    {"employee_id": "E003", "name": "John Smith", "id_type": "外国护照", "id_number": "0012345678",
     "nationality": "US", "city": "Shanghai"},
    {"employee_id": "E004", "name": "Jean Dupont", "id_type": "passport", "id_number": "18AB12345",
     "nationality": "FR", "city": "Shanghai"},
]


def compute():
    n = len(IDS)
    wages = np.array([[3_000_000] * 12, [5_000_000] * 12, [8_000_000] * 12, [2_500_000] * 12], np.int64)
    bonus = np.zeros((n, 12), np.int64)
    bonus[1, MONTH - 1] = 10_000_000
    allowances = np.zeros((n, 12), np.int64)
    allowances[1] = 1_200_000
    sad = np.zeros((n, 12), np.int64)
    sad[0] = 300_000
    income = YearInputs(year=2025, wages=wages, bonus=bonus, allowances=allowances, special_additional_deductions=sad,
                        resident=np.array([True, True, True, False]), foreigner=np.array([False, True, True, True]),
                        allowance_election=np.array([False, True, False, False]), ids=IDS)
    result = gross_to_net(MonthInputs(income, np.array(["shanghai"] * n),
                                      housing_fund=np.array([True, True, False, False])), load_law())
    by_kind = {"housing_rent": np.where(sad > 0, 150_000, 0), "elderly_support": np.where(sad > 0, 150_000, 0)}
    figures = month_figures(result, MONTH, sad_by_kind=by_kind)
    traces = {employee: explain_month(result, i) for i, employee in enumerate(IDS)}
    return result, figures, year_figures(result), traces
