"""Inline SVG charts drawn from figures the engines computed (nothing is computed here but
coordinates)."""

from __future__ import annotations

from markupsafe import Markup, escape

from expatcn.services.residency import Lines, ResidencyPerson

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_ZH = tuple(f"{m}月" for m in range(1, 13))


def residency_timeline(person: ResidencyPerson, lines: Lines, lang: str = "en", labels: dict | None = None) -> Markup:
    """Bars: days of residence per month (left axis, 0–31). Line: cumulative days (right axis,
    0–366) against the 90-day and 183-day lines of the year's law."""
    labels = labels or {}
    w, h = 1000, 330
    left, right, top, bottom = 44, 56, 18, 40
    pw, ph = w - left - right, h - top - bottom
    slot = pw / 12
    months = person.months
    names = MONTHS_ZH if lang == "zh" else MONTHS_EN
    cum_max = 366

    def y_month(d: float) -> float:
        return top + ph - ph * d / 31

    def y_cum(d: float) -> float:
        return top + ph - ph * min(d, cum_max) / cum_max

    out = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(labels.get("title", "residency timeline"))}" '
           f'xmlns="http://www.w3.org/2000/svg">']
    for d in (0, 10, 20, 31):  # left grid
        y = y_month(d)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" class="axis" text-anchor="end">{d}</text>')
    for d in (0, 100, 200, 300, 366):
        out.append(f'<text x="{left + pw + 8}" y="{y_cum(d) + 4:.1f}" class="axis">{d}</text>')
    for i, m in enumerate(months):
        x = left + i * slot
        days = m.residence_days
        y = y_month(days)
        out.append(f'<rect x="{x + slot * 0.18:.1f}" y="{y:.1f}" width="{slot * 0.64:.1f}" height="{top + ph - y:.1f}" '
                   f'class="bar" rx="3"><title>{escape(names[i])}: {days}</title></rect>')
        if days:
            out.append(f'<text x="{x + slot / 2:.1f}" y="{y - 4:.1f}" class="barlabel" text-anchor="middle">{days}</text>')
        out.append(f'<text x="{x + slot / 2:.1f}" y="{top + ph + 18}" class="axis" text-anchor="middle">{escape(names[i])}</text>')
    for value, cls, key in ((lines.ninety_days, "line90", "ninety"), (lines.resident_days, "line183", "resident")):
        y = y_cum(value)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" class="{cls}"/>')
        out.append(f'<text x="{left + 6}" y="{y - 5:.1f}" class="{cls}-label">{escape(labels.get(key, str(value)))}</text>')
    points = " ".join(f"{left + (i + 0.5) * slot:.1f},{y_cum(m.cumulative_residence_days):.1f}" for i, m in enumerate(months))
    out.append(f'<polyline points="{points}" class="cumline"/>')
    for i, m in enumerate(months):
        out.append(f'<circle cx="{left + (i + 0.5) * slot:.1f}" cy="{y_cum(m.cumulative_residence_days):.1f}" r="3" class="cumdot">'
                   f'<title>{escape(names[i])}: {m.cumulative_residence_days}</title></circle>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" class="axisline"/>')
    out.append(f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" class="axisline"/>')
    out.append("</svg>")
    return Markup("".join(out))


def bars(rows: list[tuple[str, float | None, bool]], unit: str = "", marks: list[str] | None = None) -> Markup:
    """Horizontal bars (label, value, highlighted); a missing value is drawn as a note. ``marks``
    (one per row, may be empty): a word shown after the value (e.g. "not compliant"); a row with
    a mark that is not highlighted is drawn faded."""
    marks = marks or [""] * len(rows)
    w = 1100
    row_h = 34
    label_w = 330
    h = row_h * len(rows) + 16
    values = [v for _, v, _ in rows if v is not None]
    top = max(values) if values else 1
    out = [f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i, ((label, value, best), mark) in enumerate(zip(rows, marks)):
        y = 8 + i * row_h
        out.append(f'<text x="{label_w - 10}" y="{y + 20}" class="axis" text-anchor="end">{escape(label)}</text>')
        if value is None:
            out.append(f'<text x="{label_w}" y="{y + 20}" class="axis muted">—</text>')
            continue
        bw = (w - label_w - 130) * value / top if top else 0
        out.append(f'<rect x="{label_w}" y="{y + 5}" width="{max(bw, 1):.1f}" height="{row_h - 12}" rx="3" '
                   f'class="{"bar best" if best else "bar faded" if mark else "bar"}"/>')
        note = f" · {escape(mark)}" if mark else ""
        out.append(f'<text x="{label_w + bw + 8:.1f}" y="{y + 21}" class="barlabel{" warn" if mark and not best else ""}">'
                   f'{value:,.0f}{escape(unit)}{note}</text>')
    out.append("</svg>")
    return Markup("".join(out))
