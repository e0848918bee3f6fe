from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.downloads import download_response
from core.fragments import fragment_key
from projects.downloads import dashboard_downloads, portfolio_downloads
from projects.mywork import my_work

from .dashboards import dashboard_context


@login_required
def home(request):
    """The portfolio dashboard: everything the user may see (SEA staff: their own state)."""
    context = dashboard_context(request)
    downloads = dashboard_downloads(context) + portfolio_downloads(context)
    if (response := download_response(request, downloads)) is not None:
        return response
    sea = request.user.sea if request.user.scoped_sea_id else None
    context["scoped_sea"] = sea
    context["my_work"] = work = my_work(request.user, today=context["today"])
    # Overdue marks depend on the day as well as on the rows.
    context["fragments"]["my_work"] = fragment_key(context["today"], [section.shown for section in work])
    return render(request, "home.html", context)
