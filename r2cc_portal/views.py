from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects.models import Project


@login_required
def home(request):
    projects = (
        Project.objects.visible_to(request.user)
        .select_related("sea", "lead_center")
        .order_by("sea__state_code", "title")
    )
    return render(request, "home.html", {"projects": projects})
