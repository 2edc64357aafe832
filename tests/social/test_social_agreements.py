"""The 13 bilateral agreements and ``exempt_schemes`` (law/social/agreements.yaml).

Germany: the Sino-German agreement of 2001-07-12 (in force 2002-04-04) covers only pension and
unemployment insurance (Haufe; expat-news; Sinojobs) — medical, work-injury and maternity stay due.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from expatcn.law import load_law
from expatcn.social.agreements import agreement_for, certificate_covers_month, exempt_schemes, explain_exemption

LAW = load_law()
D = "datetime64[D]"


def _one(nat: str, start: str, until: str, month: dt.date) -> dict[str, bool]:
    out = exempt_schemes(LAW, np.array([nat]), np.array([start], dtype=D), np.array([until], dtype=D), month)
    return {k: bool(v[0]) for k, v in out.items()}


def test_thirteen_agreements_as_mohrss_listed_them():
    table = LAW.value("social/agreements", dt.date(2026, 1, 1))
    assert sorted(a.country for a in table.agreements) == sorted(
        ["DE", "KR", "DK", "FI", "CA", "CH", "NL", "FR", "ES", "LU", "JP", "RS", "KG"]
    )
    for agreement in table.agreements:
        assert "pension" in agreement.china_exempt  # every agreement removes basic pension
        assert "medical" not in agreement.china_exempt  # none removes medical insurance
        assert agreement.sources


def test_german_national_with_valid_certificate():
    got = _one("DE", "2025-01-01", "2028-12-31", dt.date(2026, 3, 1))
    assert got == {"pension": True, "unemployment": True, "medical": False,
                   "work_injury": False, "maternity": False, "housing_fund": False}


def test_german_national_without_certificate_pays_everything():
    got = _one("DE", "NaT", "NaT", dt.date(2026, 3, 1))
    assert not any(got.values())


def test_certificate_expiring_mid_year():
    """Certificate until 2026-06-30: June exempt, July payable; until 06-15: June payable."""
    assert _one("DE", "2022-07-01", "2026-06-30", dt.date(2026, 6, 1))["pension"]
    assert not _one("DE", "2022-07-01", "2026-06-30", dt.date(2026, 7, 1))["pension"]
    assert not _one("DE", "2022-07-01", "2026-06-15", dt.date(2026, 6, 1))["pension"]
    assert not _one("DE", "2026-03-02", "2030-06-15", dt.date(2026, 3, 1))["pension"]


def test_agreement_not_in_force_exempts_nothing():
    assert not _one("DE", "2001-01-01", "2005-12-31", dt.date(2002, 3, 1))["pension"]  # in force 2002-04-04
    assert _one("DE", "2001-01-01", "2005-12-31", dt.date(2002, 5, 1))["pension"]
    assert not _one("DE", "2001-01-01", "2005-12-31", dt.date(2002, 4, 1))["pension"]  # in force mid-month
    assert not any(_one("FR", "2024-01-01", "2028-12-31", dt.date(2026, 3, 1)).values())  # signed, not in force
    assert not any(_one("KG", "2025-01-01", "2028-12-31", dt.date(2025, 10, 1)).values())  # in force 2025-10-14
    assert _one("KG", "2025-01-01", "2028-12-31", dt.date(2025, 11, 1))["pension"]
    assert not any(_one("DE", "1999-01-01", "2005-12-31", dt.date(2000, 1, 1)).values())  # before any agreement


def test_scope_by_agreement():
    month = dt.date(2026, 3, 1)
    assert _one("JP", "2025-01-01", "2029-12-31", month) == {**dict.fromkeys(
        ["medical", "unemployment", "work_injury", "maternity", "housing_fund"], False), "pension": True}
    assert _one("KR", "2025-01-01", "2029-12-31", month)["unemployment"]
    assert not _one("CA", "2025-01-01", "2029-12-31", month)["unemployment"]
    assert not any(_one("US", "2025-01-01", "2029-12-31", month).values())
    assert _one("de", "2025-01-01", "2029-12-31", month)["pension"]  # case-insensitive ISO codes


def test_vectorized_batch():
    nat = np.array(["DE", "US", "JP", "DE", "NL"])
    start = np.array(["2025-01-01", "2025-01-01", "2025-01-01", "NaT", "2017-09-01"], dtype=D)
    until = np.array(["2027-01-01", "2027-01-01", "2027-01-01", "NaT", "2022-08-31"], dtype=D)
    out = exempt_schemes(LAW, nat, start, until, dt.date(2026, 2, 14))
    assert out["pension"].tolist() == [True, False, True, False, False]
    assert out["unemployment"].tolist() == [True, False, False, False, False]
    assert all(out[k].dtype == bool and out[k].shape == (5,) for k in out)


def test_explain_names_the_agreement_and_sources():
    why = explain_exemption(LAW, "de", dt.date(2026, 3, 1))
    assert why.in_force and why.schemes == ("pension", "unemployment")
    assert why.agreement.max_secondment_months == 48
    assert "agreements" in why.entry.ref.describe()
    assert agreement_for(LAW, "US", dt.date(2026, 1, 1)) is None


@given(
    st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31)),
    st.integers(0, 3000),
    st.dates(dt.date(2001, 1, 1), dt.date(2035, 12, 1)),
)
def test_exempt_only_inside_window(start, days, month):
    until = start + dt.timedelta(days=days)
    out = _one("DE", start.isoformat(), until.isoformat(), month)
    inside = bool(certificate_covers_month(np.array([start], dtype=D), np.array([until], dtype=D), month)[0])
    if out["pension"]:
        assert inside and start <= month.replace(day=1) and until >= month.replace(day=28)
    assert not out["medical"]


@pytest.mark.parametrize("country,months", [("DE", 48), ("KR", 60), ("CA", 72), ("JP", 60), ("NL", 60)])
def test_maximum_secondment(country, months):
    assert agreement_for(LAW, country, dt.date(2026, 1, 1)).max_secondment_months == months
