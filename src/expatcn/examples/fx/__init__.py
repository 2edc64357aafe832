"""Example RMB central parity files for ``expatcn tax --fx`` (a template and real published months)."""
