from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.downloads import download_response
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
    context["my_work"] = my_work(request.user)
    return render(request, "home.html", context)
