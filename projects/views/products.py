"""Products: the filterable list with CSV, the product page, edits, status moves, versions, adoptions."""

import datetime
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import form_add_service_errors
from core.lists import Column, FilteredListView
from projects.filters_work import ProductFilter
from projects.forms.work import ProductAdoptionForm, ProductForm, ProductVersionForm
from projects.models import Product, ProductVersion, Project
from projects.services.products import (
    adoption_recordable_by,
    product_adoption_record,
    product_save,
    product_version_add,
)
from projects.services.projects import project_editable_by
from projects.services.workflow import moves_for, status_history
from projects.views.editing import move_view


class ProductListView(FilteredListView):
    template_name = "projects/product_list.html"
    filterset_class = ProductFilter
    csv_filename = "products.csv"
    noun, noun_plural = "product", "products"
    default_sort = "due_date"
    sort_fields = {
        "title": ("title", "pk"),
        "project": ("project__title", "title"),
        "state": ("project__sea__state_code", "title"),
        "status": ("status", "title"),
        "due_date": ("due_date", "title"),
        "delivered_on": ("delivered_on", "title"),
    }
    columns = [
        Column("Product", sort="title", value=lambda p: p.title),
        Column("Project", sort="project", value=lambda p: p.project.title),
        Column("State", sort="state", value=lambda p: p.project.sea.state_code),
        Column("Kind", value=lambda p: p.get_kind_display()),
        Column("Lead", value=lambda p: p.lead_center.short_name),
        Column("Status", sort="status", value=lambda p: p.get_status_display()),
        Column("Due", sort="due_date", value=lambda p: p.due_date),
        Column("Delivered", sort="delivered_on", value=lambda p: p.delivered_on),
    ]

    def get_base_queryset(self):
        return Product.objects.visible_to(self.request.user).select_related("project__sea", "lead_center")


def _product(request, pk):
    return get_object_or_404(
        Product.objects.visible_to(request.user).select_related("project__sea", "lead_center"), pk=pk
    )


def _editor_only(user):
    if not project_editable_by(user):
        raise Http404


@login_required
def product_detail(request, pk: int):
    product = _product(request, pk)
    user = request.user
    context = {
        "product": product,
        "project": product.project,
        "moves": moves_for(product, user),
        "history": list(status_history(product)),
        "versions": list(product.versions.select_related("created_by")),
        "adoptions": list(product.adoptions.select_related("district", "recorded_by")),
        "district_count": product.project.districts.count(),
        "topics": list(product.topics.all()),
        "can_edit": project_editable_by(user),
        "version_form": ProductVersionForm() if project_editable_by(user) else None,
        "adoption_form": ProductAdoptionForm(product=product)
        if adoption_recordable_by(user, product)
        else None,
    }
    return render(request, "projects/product_detail.html", context)


@login_required
def product_create(request, pk: int):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    _editor_only(request.user)
    form = ProductForm(
        request.POST or None, request.FILES or None, initial={"lead_center": project.lead_center_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = product_save(by=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"Product “{product.title}” added (planned).")
            return redirect("projects:product_detail", product.pk)
    context = {
        "form": form,
        "project": project,
        "heading": "Add a product",
        "multipart": True,
        "back": reverse("projects:detail", args=[project.pk]),
    }
    return render(request, "projects/product_form.html", context)


@login_required
def product_update(request, pk: int):
    product = _product(request, pk)
    _editor_only(request.user)
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("file") is False or data.get("file") == product.file:
            data["file"] = None  # unchanged (or cleared, which keeps the versions' files)
        try:
            product_save(by=request.user, project=product.project, product=product, **data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Product saved.")
            return redirect("projects:product_detail", product.pk)
    context = {
        "form": form,
        "project": product.project,
        "product": product,
        "heading": f"Edit {product.title}",
        "multipart": True,
        "back": reverse("projects:product_detail", args=[product.pk]),
    }
    return render(request, "projects/product_form.html", context)


@login_required
@require_POST
def product_status_move(request, pk: int):
    product = _product(request, pk)
    _editor_only(request.user)

    def dated(locked):
        raw = request.POST.get("delivered_on", "")
        if raw:
            try:
                locked.delivered_on = datetime.date.fromisoformat(raw)
            except ValueError as error:
                raise ValidationError("Give the delivery date as a date.") from error

    return move_view(
        request,
        product,
        redirect_to=redirect("projects:product_detail", pk),
        note_required=False,
        before_save=dated,
        label="Product",
    )


@login_required
@require_POST
def product_version_create(request, pk: int):
    product = _product(request, pk)
    _editor_only(request.user)
    form = ProductVersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            product_version_add(by=request.user, product=product, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
    if form.errors:
        return _part_form(request, form, product, "Add a version", "projects:product_version_create")
    messages.success(request, "Version added.")
    return redirect("projects:product_detail", pk)


@login_required
@require_POST
def product_adoption_create(request, pk: int):
    product = _product(request, pk)
    if not adoption_recordable_by(request.user, product):
        raise Http404
    form = ProductAdoptionForm(request.POST, product=product)
    if form.is_valid():
        try:
            product_adoption_record(by=request.user, product=product, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
    if form.errors:
        return _part_form(request, form, product, "Record an adoption", "projects:product_adoption_create")
    messages.success(request, "Adoption recorded.")
    return redirect("projects:product_detail", pk)


def _part_form(request, form, product, heading: str, action: str):
    context = {
        "form": form,
        "product": product,
        "project": product.project,
        "heading": heading,
        "multipart": True,
        "action": reverse(action, args=[product.pk]),
        "back": reverse("projects:product_detail", args=[product.pk]),
    }
    return render(request, "projects/product_part_form.html", context, status=400)


def _file_response(field_file):
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    name = field_file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_required
def product_file(request, pk: int):
    """The product's file, read through the storage API, for those who may see the product."""
    return _file_response(_product(request, pk).file)


@login_required
def product_version_file(request, pk: int):
    version = get_object_or_404(
        ProductVersion.objects.filter(product__in=Product.objects.visible_to(request.user)), pk=pk
    )
    return _file_response(version.file)
