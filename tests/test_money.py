"""The one place amounts and rates are written for people: money.py's formatters."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from expatcn.money import (
    MAX_ABS_FEN,
    RATE_SCALE,
    fen_to_str,
    minor_to_str,
    ppm_to_fraction,
    ppm_to_percent,
    rate_to_ppm,
    yuan_str,
    yuan_to_fen,
)


def test_formats():
    assert fen_to_str(1234560) == "12,345.60" and fen_to_str(-5) == "-0.05"
    assert yuan_str(np.int64(1234560)) == "12345.60" and yuan_str(0) == "0.00" and yuan_str(None) is None
    assert ppm_to_percent(30_000) == "3%" and ppm_to_percent(5_000) == "0.5%" and ppm_to_percent(0) == "0%"
    assert ppm_to_fraction(30_000) == "0.03" and ppm_to_fraction(0) == "0" and ppm_to_fraction(RATE_SCALE) == "1"
    assert minor_to_str(123456, 100) == "1,234.56" and minor_to_str(123456, 1) == "123,456" and minor_to_str(-5, 100) == "-0.05"


@given(st.integers(-MAX_ABS_FEN, MAX_ABS_FEN))
def test_amounts_read_back_exactly(fen):
    assert yuan_to_fen(yuan_str(fen)) == fen
    assert yuan_to_fen(fen_to_str(fen)) == yuan_to_fen(fen_to_str(fen).replace(",", "")) == fen


@given(st.integers(0, RATE_SCALE))
def test_rates_read_back_exactly(ppm):
    assert rate_to_ppm(ppm_to_fraction(ppm)) == ppm
    assert rate_to_ppm(Decimal(ppm) / RATE_SCALE) == ppm
