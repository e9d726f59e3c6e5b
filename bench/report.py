"""bench/results/latest.md and latest.png from the measured rows."""

import json
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def number(value, digits=1):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if 0 < value < 1:
        return f"{value:.2g}"
    return f"{value:,.{digits}f}"


def ratio(value, floor):
    return f"{value / floor:.2f}" if value and floor else "-"


def table(rows):
    lines = [
        "| scenario (clients) | project req/s | p50 / p95 / p99 ms | errors | API CPU ms/req | DB CPU ms/req "
        "| round trips/req | minimal floor req/s | own floor req/s | ÷ minimal | ÷ own |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        p, m, o = row["project"], row["minimal"], row["own"]
        lines.append(
            f"| {row['title']} ({row['clients']}) | {number(p.rate)} "
            f"| {number(p.p50_ms)} / {number(p.p95_ms)} / {number(p.p99_ms)} | {p.errors} "
            f"| {number(p.api_cpu_ms, 2)} | {number(p.db_cpu_ms, 2)} | {number(p.round_trips, 1)} "
            f"| {number(m.rate)} | {number(o.rate)} | {ratio(p.rate, m.rate)} | {ratio(p.rate, o.rate)} |"
        )
    return "\n".join(lines)


def floor_table(rows):
    lines = [
        "| scenario | floor | req/s | p50 / p99 ms | DB CPU ms/req | round trips/req | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for name in ("minimal", "own"):
            f = row[name]
            lines.append(
                f"| {row['title']} | {name} | {number(f.rate)} | {number(f.p50_ms)} / {number(f.p99_ms)} "
                f"| {number(f.db_cpu_ms, 2)} | {number(f.round_trips, 1)} | {f.errors} |"
            )
    return "\n".join(lines)


def write_markdown(rows, settings):
    text = f"""# Benchmark results

`make bench ARGS="{settings["args"]}"` — {settings["jobs"]:,} jobs in {settings["batches"]} batches,
database: {settings["database"]}, gunicorn {settings["server"]},
{settings["seconds_note"]}; machine: {platform.machine()}, {settings["cores"]} cores shared with other work,
run at {settings["when"]}.

Requests/s, latency and errors of the project (wrk); API CPU = gunicorn's CPU time per request,
DB CPU = the database process's CPU time per request, round trips = database commands the server
counted for the request. Floors: raw pymongo threads with the same concurrency on the same data:
the minimal floor is the least database work the request needs, the own floor replays exactly
the commands the project sent for it. A command scenario reports runs, not requests: its
"req/s" is 1 / wall time.

{table(rows)}

## Floors

{floor_table(rows)}

![project beside its floors](latest.png)
"""
    (RESULTS / "latest.md").write_text(text)


def write_chart(rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    titles = [row["title"] for row in rows]
    series = [("project", "#1f77b4"), ("minimal", "#bbbbbb"), ("own", "#ff7f0e")]
    figure, axis = plt.subplots(figsize=(11, 0.55 * len(rows) + 1.5))
    height = 0.27
    for offset, (name, color) in enumerate(series):
        values = [max(row[name].rate, 1e-3) for row in rows]
        label = {"project": "project", "minimal": "minimal floor", "own": "own floor"}[name]
        axis.barh([i + (offset - 1) * height for i in range(len(rows))], values, height, label=label, color=color)
    axis.set_yticks(range(len(rows)), titles)
    axis.invert_yaxis()
    axis.set_xscale("log")
    axis.set_xlabel("requests per second (log scale)")
    axis.legend(loc="lower right")
    axis.set_title("SpeechAI back office: project beside its raw-pymongo floors")
    figure.tight_layout()
    figure.savefig(RESULTS / "latest.png", dpi=110)


def merged(previous_file, rows, order, measurement_class):
    """The rows of the previous run with `rows` in place of theirs, in scenario order."""
    by_key = {}
    if previous_file.exists():
        for row in json.loads(previous_file.read_text()):
            by_key[row["key"]] = {
                k: measurement_class(**v) if k in ("project", "minimal", "own") else v for k, v in row.items()
            }
    by_key.update({row["key"]: row for row in rows})
    return [by_key[key] for key in order if key in by_key]
