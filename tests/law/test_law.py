"""The law tables: every table loads and cites its sources; bad tables are load errors; the law
"as of a date"; overlays; the validated-table cache."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from expatcn.law import LawError, LawNotInForce, load_law, parse_table
from expatcn.law import _load as load_uncached

SOURCE = "sources: [{title: test source, document: No. 1, url: 'https://example.org/a'}]"


def table(periods: str, schema: str = "amount") -> str:
    return f"title: test\nschema: {schema}\nperiods:\n" + textwrap.indent(textwrap.dedent(periods), "  ")


def test_every_table_has_dated_cited_periods(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPATCN_CACHE_DIR", str(tmp_path))  # validate from the files, not a cache
    law = load_uncached(())
    assert {"iit/annual_table", "iit/monthly_table", "iit/basic_deduction", "iit/annual_bonus"} <= set(law.tables)
    for name, loaded in law.tables.items():
        for period in loaded.periods:
            assert period.sources, name
            assert period.confidence in ("high", "medium", "low")


def test_a_gap_between_periods_is_a_load_error():
    text = table(f"""
        - {{from: 2019-01-01, to: 2019-12-31, confidence: high, {SOURCE}, value: {{amount: 1}}}}
        - {{from: 2020-02-01, confidence: high, {SOURCE}, value: {{amount: 2}}}}
    """)
    with pytest.raises(LawError, match="gap in dates"):
        parse_table("test/gap", text, "gap.yaml")


def test_overlapping_periods_are_a_load_error():
    text = table(f"""
        - {{from: 2019-01-01, to: 2020-06-30, confidence: high, {SOURCE}, value: {{amount: 1}}}}
        - {{from: 2020-01-01, confidence: high, {SOURCE}, value: {{amount: 2}}}}
    """)
    with pytest.raises(LawError, match="periods overlap"):
        parse_table("test/overlap", text, "overlap.yaml")


def test_a_quick_deduction_that_does_not_fit_its_bands_is_a_load_error():
    text = table(f"""
        - from: 2019-01-01
          confidence: high
          {SOURCE}
          value:
            brackets:
              - {{up_to: 36000, rate: "0.03", quick_deduction: 0}}
              - {{up_to: null, rate: "0.10", quick_deduction: 2500}}
    """, schema="tax_schedule")
    with pytest.raises(LawError, match="quick deduction 2500 does not fit"):
        parse_table("test/schedule", text, "schedule.yaml")


def test_a_period_without_sources_or_with_an_unknown_schema_is_refused():
    with pytest.raises(LawError, match="sources"):
        parse_table("t", table("- {from: 2019-01-01, confidence: high, sources: [], value: {amount: 1}}"), "t.yaml")
    with pytest.raises(LawError, match="unknown schema 'nope'"):
        parse_table("t", table(f"- {{from: 2019-01-01, confidence: high, {SOURCE}, value: {{}}}}", "nope"), "t.yaml")
    with pytest.raises(LawError, match="confidence"):
        parse_table("t", table(f"- {{from: 2019-01-01, confidence: sure, {SOURCE}, value: {{amount: 1}}}}"), "t.yaml")


def test_the_law_as_of_a_date():
    law = load_law()
    assert law.value("iit/basic_deduction", dt.date(2016, 5, 1)).foreigner_additional_fen == 130_000
    assert law.value("iit/basic_deduction", dt.date(2018, 11, 1)).monthly_fen == 500_000
    assert law.value("iit/special_additional_deductions", dt.date(2023, 1, 1)).children_education_per_child == 2000
    with pytest.raises(LawNotInForce, match="has no value on 2018-06-01"):
        law.on("iit/annual_table", dt.date(2018, 6, 1))
    assert law.in_force("iit/new_hire_deduction_from_january", dt.date(2020, 7, 1))
    assert not law.in_force("iit/new_hire_deduction_from_january", dt.date(2020, 6, 30))


def test_an_overlay_changes_the_law_on_its_dates_only(tmp_path):
    """A planner's what-if: the bonus window not extended past 2025 (same form as a law table)."""
    overlay = tmp_path / "no_bonus_after_2025.yaml"
    overlay.write_text(textwrap.dedent(f"""
        table: iit/annual_bonus
        title: what-if — the bonus window ends on 2025-12-31
        schema: annual_bonus
        periods:
          - from: 2024-01-01
            to: 2025-12-31
            confidence: low
            {SOURCE}
            value: {{method: separate_or_combined, divisor: 12, table: iit/monthly_table, once_per_year: true,
                     residents_only: true, shortfall_adjustment: false}}
          - from: 2026-01-01
            confidence: low
            {SOURCE}
            value: null
    """))
    law = load_law((str(overlay),))
    assert law.table("iit/annual_bonus").in_force_on(dt.date(2025, 12, 1))
    assert not law.table("iit/annual_bonus").in_force_on(dt.date(2026, 1, 1))
    assert law.table("iit/annual_bonus").in_force_on(dt.date(2019, 1, 1))  # earlier periods kept
    assert law.digest != load_law().digest


def test_the_validated_tables_are_cached_by_digest_one_file_a_table(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPATCN_CACHE_DIR", str(tmp_path))
    first = load_uncached(())
    cached = list(tmp_path.glob("law-*"))
    assert len(cached) == 1 and first.digest in cached[0].name
    assert len(list(cached[0].glob("*.pickle"))) == len(first.tables) + 1  # the tables and the index
    again = load_uncached(())
    assert again.digest == first.digest and set(again.tables) == set(first.tables)
    day = dt.date(2025, 1, 1)
    assert again.value("iit/annual_table", day) == first.value("iit/annual_table", day)
    assert len(again.tables._tables) == 1  # read: only the table asked for
    assert again.names("social_city") == first.names("social_city") and len(again.tables._tables) == 1
    (cached[0] / "iit~basic_deduction.pickle").write_bytes(b"not a pickle")  # a damaged table: validated again
    assert again.value("iit/basic_deduction", day) == first.value("iit/basic_deduction", day)
    (cached[0] / "index.pickle").write_bytes(b"not a pickle") if cached[0].exists() else None
    assert load_uncached(()).digest == first.digest


def test_a_law_read_from_the_cache_travels_whole(tmp_path, monkeypatch):
    """Pickled (to a Dask worker), a lazily read law takes every table with it."""
    import pickle

    monkeypatch.setenv("EXPATCN_CACHE_DIR", str(tmp_path))
    load_uncached(())
    lazy = load_uncached(())
    copy = pickle.loads(pickle.dumps(lazy))
    assert len(copy.tables._tables) == len(lazy.tables)
    assert copy.value("social/shanghai", dt.date(2025, 7, 1)) == lazy.value("social/shanghai", dt.date(2025, 7, 1))


def test_an_overlay_that_only_ends_a_rule(tmp_path):
    """A what-if made only of a ``value: null`` period: the allowance exemption ends after 2025."""
    overlay = tmp_path / "allowances_end_2025.yaml"
    overlay.write_text(textwrap.dedent(f"""
        table: iit/expat_allowance_exemption
        title: what-if — the exemption ends on 2025-12-31
        schema: expat_allowance_exemption
        periods:
          - {{from: 2026-01-01, confidence: low, {SOURCE}, value: null}}
    """))
    law = load_law((str(overlay),))
    exemption = law.table("iit/expat_allowance_exemption")
    assert exemption.in_force_on(dt.date(2025, 12, 31))
    assert not exemption.in_force_on(dt.date(2026, 1, 1))


def test_the_2022_equity_extension_is_no_42_and_no_43_is_the_allowance_extension():
    """MOF/STA Announcement [2021] No. 42 (31 Dec 2021) extended the annual-bonus and listed-company
    equity-incentive separate taxation and the reconciliation exemption; No. 43 extended the expat
    allowances (EY China HR tax alert 2022001; Ebner Stolz, 2022)."""
    law = load_law()

    def documents(table: str, day: dt.date) -> set[str]:
        return {s.document for s in law.on(table, day).ref.sources if s.document}

    day = dt.date(2022, 6, 30)
    assert "MOF/STA Announcement [2021] No. 42" in documents("iit/equity_incentive_separate", day)
    assert "MOF/STA Announcement [2021] No. 42" in documents("iit/annual_bonus", day)
    assert "MOF/STA Announcement [2021] No. 43" in documents("iit/expat_allowance_exemption", day)
    for table in law.tables:
        if table != "iit/expat_allowance_exemption":
            for period in law.tables[table].periods:
                assert all("[2021] No. 43" not in (s.document or "") for s in period.sources), table


def test_every_typed_table_reference_names_a_table_of_its_schema():
    """law/tables.py: each TableRef is a table file whose every value has the schema it declares."""
    from expatcn.law import tables

    law = load_law()
    refs = [ref for ref in vars(tables).values() if isinstance(ref, tables.TableRef)]
    assert len(refs) >= 20
    for ref in refs:
        table = law.table(ref)
        assert table.name == str(ref)
        assert all(isinstance(value, ref.schema) for value in table.values), ref.name
    assert law.value(tables.BASIC_DEDUCTION, dt.date(2026, 1, 1)).annual_fen == 6_000_000
