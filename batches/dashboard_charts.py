"""The dashboard's charts as server-rendered SVG: nothing to vendor, no CDN,
and the page refreshes by swapping HTML. Every text is escaped."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from batches.dashboard_hours import OUTCOMES
from jobs.call_facts import words

OUTCOME_COLOURS = {"promise": "#15803d", "completed": "#60a5fa", "failed": "#dc2626"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 200, 36, 22, 8


def legend():
    items = "".join(
        f'<span class="legend-item"><span class="swatch" style="background:{OUTCOME_COLOURS[key]}"></span>'
        f"{escape(label)}</span>"
        for key, label in OUTCOMES.items()
    )
    return mark_safe(f'<div class="chart-legend">{items}</div>')


def stacked_bars(series, label, tick_every, chart_id):
    """Calls per bucket, one stacked bar per bucket (outcomes bottom-up), a
    bucket label under every `tick_every`-th bar."""
    peak = max((sum(calls.values()) for _, calls in series), default=0) or 1
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(series), 1)
    parts = [
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH}" y2="{TOP + plot_height}" stroke="#9ca3af"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" class="axis">{peak}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_height}" text-anchor="end" class="axis">0</text>',
    ]
    for index, (start, calls) in enumerate(series):
        x = LEFT + index * slot + slot * 0.1
        y = TOP + plot_height
        total = sum(calls.values())
        for outcome, count in calls.items():
            if not count:
                continue
            height = count / peak * plot_height
            y -= height
            parts.append(
                f'<rect class="bar bar-{outcome}" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" '
                f'height="{height:.1f}" fill="{OUTCOME_COLOURS[outcome]}" data-calls="{count}">'
                f"<title>{escape(label(start))}: {count} {escape(OUTCOMES[outcome].lower())}</title></rect>"
            )
        if index % tick_every == 0:
            parts.append(
                f'<text x="{x + slot * 0.4:.1f}" y="{HEIGHT - 6}" text-anchor="middle" class="axis">'
                f"{escape(label(start))}</text>"
            )
        parts.append(f'<g class="bucket" data-start="{start.isoformat()}" data-calls="{total}"></g>')
    return svg(chart_id, parts)


def horizontal_bars(items, chart_id):
    """Calls per disconnection reason, longest bar first."""
    if not items:
        return mark_safe(f'<p class="chart-empty" id="{chart_id}">No call ended in the last 24 hours.</p>')
    row, label_width = 22, 230
    peak = max(count for _, count in items)
    parts = []
    for index, (reason, count) in enumerate(items):
        y = index * row
        width = count / peak * (WIDTH - label_width - 60)
        name = words(reason) or "No reason given"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" class="axis">{escape(name)}</text>'
            f'<rect class="bar bar-reason" x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 6}" '
            f'fill="#6366f1" data-reason="{escape(reason or "")}" data-calls="{count}"><title>{escape(name)}: '
            f"{count}</title></rect>"
            f'<text x="{label_width + width + 4:.1f}" y="{y + 15}" class="axis">{count}</text>'
        )
    return svg(chart_id, parts, height=len(items) * row)


def svg(chart_id, parts, height=HEIGHT):
    return mark_safe(
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" style="max-width:{WIDTH}px">{"".join(parts)}</svg>'
    )
