"""The API tokens section of the profile page: a user creates and revokes their own tokens.

The pages keep their place under /accounts/profile/ and their names in the `accounts` namespace
(the roof's urls.py mounts them there); the API owns the tokens, so it owns these views.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.views import profile_context
from core.forms import service_errors

from .forms import ApiTokenCreateForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke


def profile_tokens(request) -> dict:
    """The profile page's section: the user's tokens and the form for a new one."""
    return {
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        "token_form": ApiTokenCreateForm(),
    }


@login_required
@require_POST
def api_token_create_view(request):
    form = ApiTokenCreateForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            token, key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                request=request,
            )
            # The key is rendered once, in this response, and never stored.
            response = render(
                request,
                "accounts/profile.html",
                profile_context(request, new_token=token, new_key=key),
            )
            response["Cache-Control"] = "no-store"
            return response
    context = profile_context(request)
    context["token_form"] = form
    return render(request, "accounts/profile.html", context, status=400)


@login_required
@require_POST
def api_token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    api_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("accounts:profile")


urlpatterns = [
    path("profile/tokens/new/", api_token_create_view, name="api_token_create"),
    path("profile/tokens/<int:pk>/revoke/", api_token_revoke_view, name="api_token_revoke"),
]
