"""The supervisors' live dashboard in the admin (`/admin/dashboard/`): the
campaigns' progress and the calls of the last day and month as charts,
refreshed in place from `/admin/dashboard/data` (HTML of the body and the
figures as JSON) by a few lines of JavaScript. The figures and the body are
computed once for all the supervisors asking within SHARED_SECONDS
(batches/shared_figures.py)."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from batches import dashboard
from batches.dashboard_charts import horizontal_bars, legend, stacked_bars
from batches.shared_figures import SharedFigures
from speechai.bson_json import to_json

REFRESH_SECONDS = 5
# Shorter than the refresh: one tab alone always gets new figures; ten tabs share them.
SHARED_SECONDS = 4
SHARED = SharedFigures(SHARED_SECONDS)
STATUS_SEGMENTS = [  # (count field, label, colour) of a campaign's progress bar
    ("completed_jobs", "Done", "#16a34a"),
    ("failed_jobs", "Failed", "#dc2626"),
    ("in_progress_jobs", "In progress", "#d97706"),
    ("pending_jobs", "Waiting", "#2563eb"),
    ("suspended_jobs", "Suspended", "#64748b"),
    ("cancelled_jobs", "Cancelled", "#9ca3af"),
]


def dashboard_urls(admin_site):
    def view(function):
        return admin_site.admin_view(never_cache(function))

    return [
        path("dashboard/", view(lambda request: dashboard_page(admin_site, request)), name="dashboard"),
        path("dashboard/data", view(dashboard_data), name="dashboard_data"),
    ]


def selected_filters(request):
    """account and campaign (custom batch_id) from the query string; empty = all."""
    if not request.user.has_perm("jobs.view_job"):
        raise PermissionDenied
    account = request.GET.get("account", "").strip()[:200] or None
    campaign = request.GET.get("campaign", "").strip()[:200] or None
    return account, campaign


def body_html(figures):
    campaigns = [
        {
            **campaign,
            "segments": [
                (label, colour, campaign[field], campaign[field] / campaign["total_jobs"] * 100)
                for field, label, colour in STATUS_SEGMENTS
                if campaign["total_jobs"] and campaign[field]
            ],
        }
        for campaign in figures["campaigns"]
    ]
    context = {
        **figures,
        "campaigns": campaigns,
        "legend": legend(),
        "hourly_chart": stacked_bars(figures["hourly"], lambda start: f"{start:%H}h", 3, "chart-hourly"),
        "daily_chart": stacked_bars(figures["daily"], lambda start: f"{start:%m-%d}", 5, "chart-daily"),
        "reasons_chart": horizontal_bars(figures["reasons"], "chart-reasons"),
    }
    return render_to_string("admin/batches/dashboard/body.html", context)


def figures_and_body(account, campaign):
    """(figures, body HTML) of the filters, shared by the requests of the moment."""

    def compute():
        figures = dashboard.dashboard(account_id=account, batch_id=campaign)
        return figures, body_html(figures)

    return SHARED.get((account, campaign), compute)


def dashboard_page(admin_site, request):
    account, campaign = selected_filters(request)
    _, body = figures_and_body(account, campaign)
    accounts, campaigns = dashboard.filter_choices(account)
    context = {
        **admin_site.each_context(request),
        "title": "Campaigns dashboard",
        "accounts": accounts,
        "campaign_choices": campaigns,
        "account": account,
        "campaign": campaign,
        "body": body,
        "refresh_seconds": REFRESH_SECONDS,
    }
    return TemplateResponse(request, "admin/batches/dashboard/page.html", context)


def dashboard_data(request):
    account, campaign = selected_filters(request)
    figures, body = figures_and_body(account, campaign)
    summary = {
        "now": figures["now"],
        "calls_24h": figures["calls_24h"],
        "calls_30d": figures["calls_30d"],
        "campaigns": [
            {key: c[key] for key in ("batch_id", "status", "total_jobs", "success_rate", "promises", "last_hour")}
            for c in figures["campaigns"]
        ],
    }
    return JsonResponse({"html": body, "figures": to_json(summary)})
