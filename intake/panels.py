"""What intake shows on the pages of projects (which may not import intake): the request a
project was started from."""

from django.template.loader import render_to_string

from projects import hooks

from .models import TARequest


@hooks.register_panel("project_detail")
def origin_panel(request, project) -> str:
    """A link to the request the project came from, for users who may see that request."""
    origin = (
        TARequest.objects.visible_to(request.user)
        .filter(project=project)
        # The status too: the state machine reads it when the row is loaded.
        .only("pk", "title", "submitted_at", "status")
        .first()
    )
    if origin is None:
        return ""
    return render_to_string("intake/_partials/project_origin.html", {"origin": origin}, request=request)
