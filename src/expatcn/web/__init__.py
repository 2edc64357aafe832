"""The browser UI: server-rendered Jinja2 pages (with htmx) over :mod:`expatcn.services`."""
