"""Answering attestations, statements and surveys (in the portal or by signed link)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from stakeholders.models import Stakeholder

from .forms import AttestationForm, StatementForm, SurveyForm
from .models import Attestation, Decision, ServiceStatement, SurveyInvitation
from .providers import survey_subject
from .selectors import attestation_rates
from .services.attestations import attestation_decide
from .services.statements import statement_decide
from .services.surveys import survey_items, survey_respond
from .tokens import BadLink, attestation_claim, statement_claim, survey_claim


def _bad_link(request, message, status=400):
    return render(request, "accountability/bad_link.html", {"message": message}, status=status)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _decide_attestation(request, attestation, user):
    """The form for one attestation, bound on POST; returns (form, saved)."""
    form = AttestationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attestation_decide(
                attestation=attestation,
                by=user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return form, True
    return form, False


def attest_link(request, token):
    """The counterpart answers from the link in the notice, without signing in."""
    try:
        claim = attestation_claim(token)
    except BadLink as exc:
        return _bad_link(request, exc.message)
    attestation = (
        Attestation.objects.select_related("activity__project__sea", "activity__author", "decided_by")
        .filter(pk=claim.object_id, version=claim.version)
        .first()
    )
    user = get_user_model().objects.filter(pk=claim.person_id, is_active=True).first()
    if attestation is None or user is None:
        return _bad_link(request, "This link is no longer valid: the activity was removed.", 404)
    if not attestation.is_current or attestation.status != Decision.PENDING:
        already = (
            "The activity was edited since this link was sent."
            if not attestation.is_current
            else (
                f"This activity was already answered: {attestation.get_status_display().lower()}"
                f"{' by ' + str(attestation.decided_by) if attestation.decided_by else ''}."
            )
        )
        return _bad_link(request, f"{already} The link works once.", 410)
    form, saved = _decide_attestation(request, attestation, user)
    if saved:
        attestation.refresh_from_db()
    return render(
        request,
        "accountability/attest_link.html",
        {
            "attestation": attestation,
            "activity": attestation.activity,
            "form": form,
            "saved": saved,
            "person": user,
        },
    )


@login_required
@require_POST
def attestation_answer(request, pk: int):
    """The counterpart answers on the activity's page."""
    attestation = get_object_or_404(Attestation.objects.visible_to(request.user).current(), pk=pk)
    form, saved = _decide_attestation(request, attestation, request.user)
    if saved:
        messages.success(request, f"Your answer is recorded: {form.cleaned_data['decision']}.")
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, error if field == "__all__" else f"{form.fields[field].label}: {error}"
                )
    return redirect("projects:activity_detail", attestation.activity_id)


@login_required
def attestation_inbox(request):
    """What waits for the user's answer, and the disputes and comments on their own activities."""
    waiting = list(
        Attestation.objects.answerable_by(request.user)
        .select_related("activity__project__sea", "activity__author")
        .order_by("requested_at")[:200]
    )
    answered = list(
        Attestation.objects.visible_to(request.user)
        .filter(
            activity__author=request.user, is_current=True, status__in=[Decision.DISPUTED, Decision.COMMENTED]
        )
        .select_related("activity__project", "decided_by")
        .order_by("-decided_at")[:200]
    )
    statements = list(
        ServiceStatement.objects.answerable_by(request.user)
        .select_related("project__sea")
        .order_by("month")[:200]
    )
    return render(
        request,
        "accountability/inbox.html",
        {
            "waiting": waiting,
            "answered": answered,
            "statements": statements,
            "statement_form": StatementForm(),
        },
    )


def _decide_statement(request, statement, user):
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement_decide(
                statement=statement,
                by=user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return form, True
    return form, False


@login_required
@require_POST
def statement_answer(request, pk: int):
    statement = get_object_or_404(ServiceStatement.objects.visible_to(request.user), pk=pk)
    form, saved = _decide_statement(request, statement, request.user)
    if saved:
        messages.success(request, "Your answer on the statement is recorded.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("accountability:inbox")


def statement_link(request, token):
    try:
        claim = statement_claim(token)
    except BadLink as exc:
        return _bad_link(request, exc.message)
    statement = ServiceStatement.objects.select_related("project__sea").filter(pk=claim.object_id).first()
    user = get_user_model().objects.filter(pk=claim.person_id, is_active=True).first()
    if statement is None or user is None:
        return _bad_link(request, "This link is no longer valid.", 404)
    if statement.status != Decision.PENDING:
        return _bad_link(request, "This statement was already answered. The link works once.", 410)
    form, saved = _decide_statement(request, statement, user)
    if saved:
        statement.refresh_from_db()
    return render(
        request, "accountability/statement_link.html", {"statement": statement, "form": form, "saved": saved}
    )


def survey_link(request, token):
    """A participant rates a service or product from the link in their mail."""
    try:
        claim = survey_claim(token)
    except BadLink as exc:
        return _bad_link(request, exc.message)
    invitation = (
        SurveyInvitation.objects.select_related("activity", "product", "project")
        .filter(pk=claim.object_id, stakeholder_id=claim.person_id)
        .first()
    )
    if invitation is None or not Stakeholder.objects.filter(pk=claim.person_id, is_active=True).exists():
        return _bad_link(request, "This survey link is no longer valid.", 404)
    if invitation.responded_at is not None:
        return _bad_link(
            request, "You have answered this survey already: the link works once. Thank you!", 410
        )
    form = SurveyForm(request.POST or None, items=survey_items())
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            survey_respond(invitation=invitation, scores=form.scores(), comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            saved = True
    return render(
        request,
        "accountability/survey_link.html",
        {"invitation": invitation, "form": form, "saved": saved, "subject": survey_subject(invitation)},
    )


@login_required
def attestation_dashboard(request):
    """Attestation rate and median days to attest, per state and per project (scoped)."""
    return render(request, "accountability/dashboard.html", attestation_rates(request.user))
