"""The structures as a table of data: each row alone decides what the structure pays where and when
it applies, so a new structure is one row — shown here by adding one."""

from __future__ import annotations

import dataclasses

import pytest

from expatcn.io.assignment_file import parse_assignment
from expatcn.law import load_law
from expatcn.planning import plan
from expatcn.planning.structures import BY_KEY, INBOUND, OUTBOUND, STRUCTURES, of_direction

INBOUND_ONE_YEAR = dict(person={"name": "X", "nationality": "DE"}, home_country="DE", host_country="CN",
                        city="shanghai", start="2026-01-01", end="2026-06-30", fx={"EUR": "7.80"},
                        package={"salary_monthly": 50000, "allowances": {"housing": 8000}})


@pytest.fixture(scope="module")
def law():
    return load_law()


def one(law, **changes):
    return plan([parse_assignment({**INBOUND_ONE_YEAR, **changes}, "a.yaml").to_assignment()], law)[0]


def test_the_table_covers_both_directions_once():
    assert [s.key for s in STRUCTURES] == list(of_direction(INBOUND) + of_direction(OUTBOUND))
    assert {s.direction for s in STRUCTURES} == {INBOUND, OUTBOUND} and len(BY_KEY) == len(STRUCTURES)
    for s in STRUCTURES:
        assert s.title and s.short and len(s.short) <= 31  # a sheet name
        assert not s.without_certificate or (BY_KEY[s.without_certificate].certificate == "none"
                                             and BY_KEY[s.without_certificate].direction == s.direction)
        assert (s.certificate == "required") == bool(s.not_applicable)


def test_the_certificate_column_decides_applicability(law):
    """No agreement between China and the United States: the structure that requires a
    certificate is not applicable (with the table's reason), the one that uses it where it exists
    still runs."""
    p = one(law, person={"name": "X", "nationality": "US"}, home_country="US", fx={"USD": "7.10"})
    required = p.structure("secondment_certificate")
    assert not required.applicable
    assert required.reasons == ["no social security agreement between China and US in force on 2026-01-01: no "
                                "certificate of coverage is possible"]
    assert p.structure("split_payroll").applicable and p.structure("split_payroll").complete


def test_a_new_structure_is_one_row(law, monkeypatch):
    """A local hire without the package's allowances, added as a row (and offered to the file):
    the planner runs it with no other change — 8,000 a month less gross, the same contributions
    and the same IIT (the housing allowance is exempt for a foreigner who elects it)."""
    row = dataclasses.replace(BY_KEY["local_hire"], key="local_hire_no_allowances", title="Local hire, no allowances",
                              short="Local hire no allowances", allowances=False)
    monkeypatch.setitem(BY_KEY, row.key, row)
    p = one(law, structures=["local_hire", row.key])
    local, bare = p.structure("local_hire").years[0], p.structure(row.key).years[0]
    assert local.gross_cny - bare.gross_cny == 6 * 8000_00
    assert (bare.china_employee, bare.china_employer, bare.china_iit) == \
        (local.china_employee, local.china_employer, local.china_iit)
    assert p.cheapest == row.key
