"""expatcn — China payroll for people who cross the border for work, on dated and cited law."""

__version__ = "0.1.0"
