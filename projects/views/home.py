from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.mywork import my_work

from .dashboards import dashboard_context, hours_download


@login_required
def home(request):
    """The portfolio dashboard: everything the user may see (SEA staff: their own state)."""
    context = dashboard_context(request)
    if (download := hours_download(request, context)) is not None:
        return download
    sea = request.user.sea if request.user.scoped_sea_id else None
    context["scoped_sea"] = sea
    context["my_work"] = my_work(request.user)
    return render(request, "home.html", context)
