"""Products: create and edit, versions, files through Django's storage API, district adoptions."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Product, ProductAdoption, ProductVersion, Project
from projects.services.projects import project_editable_by

# What a product file may be: documents, spreadsheets, slides, PDFs, archives of templates.
ALLOWED_EXTENSIONS = {
    ".pdf": ("application/pdf",),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"),
    ".csv": ("text/csv", "text/plain"),
    ".txt": ("text/plain",),
    ".zip": ("application/zip",),
}
MAX_FILE_BYTES = 25 * 1024 * 1024
# The first bytes each kind of file starts with: a renamed executable is refused.
MAGIC = {".pdf": b"%PDF", ".docx": b"PK", ".xlsx": b"PK", ".pptx": b"PK", ".zip": b"PK"}


def validate_product_file(upload) -> None:
    """Refuse a file of another type (by extension and first bytes) or over the size limit."""
    if upload is None:
        return
    ext = os.path.splitext(upload.name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ValidationError({"file": "Upload a PDF, Word, Excel, PowerPoint, CSV, text or ZIP file."})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB."})
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    head = upload.read(8)
    upload.seek(0)
    magic = MAGIC.get(ext)
    if magic and not head.startswith(magic):
        raise ValidationError({"file": f"This file is not a real {ext[1:].upper()} file."})
    if ext in (".csv", ".txt") and b"\x00" in head:
        raise ValidationError({"file": "This file is not a text file."})


def _check_editor(by) -> None:
    if not project_editable_by(by):
        raise ValidationError("Only facilitators and administrators edit products.")


def _save(obj, errors: dict | None = None) -> None:
    errors = dict(errors or {})
    try:
        obj.full_clean(exclude=list(errors))
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    obj.save()


@transaction.atomic
def product_save(
    *,
    by,
    project: Project,
    title: str,
    kind: str,
    lead_center,
    description: str = "",
    due_date: datetime.date | None = None,
    link: str = "",
    file=None,
    topics: Iterable = (),
    product: Product | None = None,
) -> Product:
    """Create a product of `project` (planned) or edit `product`; a new file replaces the old one."""
    _check_editor(by)
    if file is not None:
        validate_product_file(file)
    product = product or Product(project=project)
    product.title = title.strip()
    product.kind = kind
    product.lead_center = lead_center
    product.description = description
    product.due_date = due_date
    product.link = link
    if file is not None:
        product.file = file
    _save(product)
    product.topics.set(list(topics))
    return product


@transaction.atomic
def product_version_add(
    *, by, product: Product, label: str, note: str = "", link: str = "", file=None
) -> ProductVersion:
    _check_editor(by)
    if file is not None:
        validate_product_file(file)
    version = ProductVersion(product=product, label=label.strip(), note=note, link=link, created_by=by)
    if file is not None:
        version.file = file
    _save(version)
    return version


def adoption_recordable_by(user, product: Product) -> bool:
    """Facilitators, administrators and the staff of the product's state record adoptions."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.sees_whole_portfolio or (user.is_sea_staff and user.sea_id == product.project.sea_id)


@transaction.atomic
def product_adoption_record(
    *, by, product: Product, district, adopted_on: datetime.date, note: str = ""
) -> ProductAdoption:
    """Record that `district` (one of the project's) adopted `product`; again updates the date and note."""
    if not adoption_recordable_by(by, product):
        raise ValidationError("You may not record adoptions of this product.")
    adoption = ProductAdoption.objects.filter(product=product, district=district).first()
    adoption = adoption or ProductAdoption(product=product, district=district)
    adoption.adopted_on = adopted_on
    adoption.note = note
    adoption.recorded_by = by
    _save(adoption)
    return adoption
