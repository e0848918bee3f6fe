"""Forms of the meetings pages. Date-times are typed in the center's time zone."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from core.pickers import PickerFormMixin, PickerSelect, PickerSelectMultiple
from projects.forms.work import ProductChoiceField, ProjectChoiceField
from projects.models import Product, Project
from stakeholders.models import District, Membership, Stakeholder

from .models import ActionItem, AgendaItem, Decision, Feedback, Meeting, Minutes, Participant


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingForm(forms.ModelForm):
    link = forms.URLField(
        label="Video link",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="Required for virtual and hybrid meetings.",
        widget=forms.URLInput(
            attrs={"data-show-when": "mode=virtual,hybrid", "data-required-when": "mode=virtual,hybrid"}
        ),
    )

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "mode", "location", "link", "description"]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            # Shown, and marked required, only for the modes that need them (static/js/forms.js).
            "location": forms.TextInput(
                attrs={
                    "data-show-when": "mode=in_person,hybrid",
                    "data-required-when": "mode=in_person,hybrid",
                }
            ),
        }
        help_texts = {
            "starts_at": "In the center's time zone (Eastern).",
            "ends_at": "In the center's time zone (Eastern).",
            "location": "Address and room. Required for in-person and hybrid meetings.",
        }

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        if body is not None:
            self.instance.body = body
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["ends_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The meeting must end after it starts.")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Invitees receive this reason.",
        max_length=Meeting._meta.get_field("cancel_reason").max_length,
    )


# The no-script "Find" box of a person or district picker matches these (core.pickers).
PERSON_SEARCH = ("first_name__icontains", "last_name__icontains", "email__icontains")
DISTRICT_SEARCH = ("name__icontains", "nces_id__startswith")


def product_picker() -> PickerSelect:
    """The portfolio has thousands of products: a type-ahead of those the user may see."""
    return PickerSelect(
        "projects:pick_product",
        placeholder="Type words of the product or its project",
        search=("title__icontains", "project__title__icontains"),
        search_label="Find products",
    )


def visible_products(user):
    return Product.objects.visible_to(user).select_related("project").order_by("title", "pk")


class InviteForm(PickerFormMixin, forms.Form):
    guests = forms.ModelMultipleChoiceField(
        queryset=Stakeholder.objects.none(),
        required=False,
        help_text="People who are not members but should be invited.",
        widget=PickerSelectMultiple(
            "projects:pick_person", placeholder="Type names", search=PERSON_SEARCH, search_label="Find people"
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guests"].queryset = (
            Stakeholder.objects.visible_to(user).active().order_by("last_name", "first_name")
        )


class AgendaItemForm(PickerFormMixin, forms.ModelForm):
    """The presenter and purpose come from the meeting (a few); the project and product from the
    whole portfolio the user may see (thousands): type-aheads."""

    project = ProjectChoiceField(
        queryset=Project.objects.none(),
        required=False,
        help_text="The project the item is about, if any.",
        widget=PickerSelect(
            "projects:pick_project",
            placeholder="Type words of the project title",
            search=("title__icontains",),
            search_label="Find projects",
        ),
    )
    product = ProductChoiceField(
        queryset=Product.objects.none(),
        required=False,
        help_text="A product of that project presented in the item, if any.",
        widget=product_picker(),
    )

    class Meta:
        model = AgendaItem
        fields = [
            "title",
            "minutes",
            "presenter",
            "presenter_name",
            "purpose",
            "project",
            "product",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["purpose"].queryset = meeting.body.purposes.all()
        members = Stakeholder.objects.filter(meeting_participations__meeting=meeting)
        self.fields["presenter"].queryset = members.order_by("last_name", "first_name")
        self.fields["project"].queryset = (
            Project.objects.visible_to(user).select_related("sea").order_by("title")
        )
        self.fields["product"].queryset = visible_products(user)


class AttendanceForm(forms.Form):
    """One row per participant: attendance and, for a delegate, who came."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        self.rows = []
        for p in self.participants:
            status_name, delegate_name = f"attendance_{p.pk}", f"delegate_{p.pk}"
            self.fields[status_name] = forms.ChoiceField(
                label=f"Attendance of {p.stakeholder}",
                choices=Participant.Attendance.choices,
                required=False,
                initial=p.attendance,
            )
            self.fields[delegate_name] = forms.CharField(
                label=f"Delegate for {p.stakeholder}", required=False, initial=p.delegate_name, max_length=200
            )
            self.rows.append((p, status_name, delegate_name))

    def bound_rows(self):
        return [(p, self[status], self[delegate]) for p, status, delegate in self.rows]

    def clean(self):
        data = super().clean()
        for p, status, delegate in self.rows:
            if data.get(status) == Participant.Attendance.DELEGATE and not (data.get(delegate) or "").strip():
                self.add_error(delegate, f"Say who attended in place of {p.stakeholder}.")
        return data

    def cleaned_rows(self):
        return [
            (p, self.cleaned_data.get(status) or "", self.cleaned_data.get(delegate) or "")
            for p, status, delegate in self.rows
        ]


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Minutes
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 16})}
        labels = {"text": "Minutes (Markdown)"}


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["text", "agenda_item"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()


def meeting_people(meeting):
    """Members of the meeting's body and the meeting's guests: who can own its action items."""
    # One UNION of ids: an OR of two IN subqueries made PostgreSQL read the whole directory.
    members = Membership.objects.filter(body_id=meeting.body_id).order_by().values("stakeholder_id")
    guests = Participant.objects.filter(meeting=meeting).order_by().values("stakeholder_id")
    return Stakeholder.objects.filter(pk__in=members.union(guests)).order_by("last_name", "first_name")


def staff_users():
    return User.objects.filter(
        is_active=True, groups__name__in=[Role.FACILITATOR.value, Role.ADMINISTRATOR.value]
    ).distinct()


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "agenda_item", "owner_stakeholder", "owner_user", "due_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_date": DateInput()}

    def __init__(self, *args, meeting, user, **kwargs):  # noqa: ARG002 - the views pass every meeting form its user
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()
        self.fields["owner_stakeholder"].queryset = meeting_people(meeting)
        self.fields["owner_user"].queryset = staff_users().order_by("username")
        self.fields["owner_stakeholder"].help_text = "A member or guest of the meeting."
        self.fields["owner_user"].help_text = "Or a member of the center's staff."

    def clean(self):
        data = super().clean()
        if not data.get("owner_stakeholder") and not data.get("owner_user"):
            self.add_error("owner_stakeholder", "Choose an owner: a member or a staff member.")
        return data


class ActionItemStaffForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "owner_stakeholder", "owner_user", "due_date", "status", "status_note"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.instance.meeting
        self.fields["owner_stakeholder"].queryset = meeting_people(meeting)
        self.fields["owner_user"].queryset = staff_users().order_by("username")


class ActionItemOwnerForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["status", "status_note"]


class ActionItemFilterForm(forms.Form):
    body = forms.ModelChoiceField(queryset=None, required=False, empty_label="All bodies")
    status = forms.ChoiceField(
        choices=[("open", "Open"), ("done", "Done"), ("dropped", "Dropped"), ("all", "Any status")],
        required=False,
        initial="open",
    )
    owner = forms.CharField(required=False, label="Owner name contains")
    overdue = forms.BooleanField(required=False, label="Overdue only")
    due_before = forms.DateField(required=False, label="Due on or before", widget=DateInput())

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        for name, field in self.fields.items():
            css = {"body": "form-select", "status": "form-select", "overdue": "form-check-input"}.get(
                name, "form-control"
            )
            field.widget.attrs["class"] = css


class FeedbackForm(forms.ModelForm):
    RATING = [(i, str(i)) for i in range(1, 6)]

    class Meta:
        model = Feedback
        fields = ["product", "resource", "quality", "relevance", "usefulness", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "resource": "Or name the service, e.g. coaching sessions. Ratings: 1 poor – 5 excellent."
        }

    def __init__(self, *args, products=None, stakeholders=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("quality", "relevance", "usefulness"):
            self.fields[name] = forms.TypedChoiceField(
                choices=self.RATING, coerce=int, widget=forms.RadioSelect, label=name.capitalize()
            )
        self.fields["resource"].required = False
        self.fields["product"].required = False
        self.fields["product"].label = "Product"
        self.fields["product"].queryset = products if products is not None else Product.objects.none()
        if stakeholders is not None:
            self.fields["stakeholder"] = forms.ModelChoiceField(
                queryset=stakeholders, required=False, label="Member giving the feedback"
            )
            self.order_fields(["stakeholder"])

    def clean(self):
        data = super().clean()
        if not data.get("product") and not (data.get("resource") or "").strip():
            self.add_error("resource", "Choose a product or name the resource or service rated.")
        return data


class MeetingFeedbackForm(PickerFormMixin, FeedbackForm):
    """Feedback entered by the facilitator: on any product they may see, found by type-ahead (the
    public feedback link offers only the few products presented to the body, as a plain list)."""

    product = ProductChoiceField(queryset=Product.objects.none(), required=False, widget=product_picker())

    def __init__(self, *args, user, stakeholders, **kwargs):
        super().__init__(*args, products=visible_products(user), stakeholders=stakeholders, **kwargs)


class MembershipForm(PickerFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = [
            "stakeholder",
            "role",
            "is_voting",
            "represents_sea",
            "represents_district",
            "represents_center",
            "represents_organization",
            "term_start",
            "term_end",
        ]
        widgets = {
            "term_start": DateInput(),
            "term_end": DateInput(),
            # Type-ahead: the directory and the districts run to tens of thousands.
            "stakeholder": PickerSelect(
                "projects:pick_person",
                placeholder="Type a name",
                search=PERSON_SEARCH,
                search_label="Find people",
            ),
            "represents_district": PickerSelect(
                "projects:pick_district",
                placeholder="Type a district",
                search=DISTRICT_SEARCH,
                search_label="Find districts",
            ),
        }

    def __init__(self, *args, body, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        self.fields["stakeholder"].queryset = Stakeholder.objects.visible_to(user).active()
        self.fields["represents_district"].queryset = District.objects.visible_to(user).order_by("name")

    def validate_unique(self):
        # Membership.clean() names the overlapping seat; the database constraint stays as a backstop.
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except ValidationError as exc:
            self._update_errors(exc)


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("yes", "Yes, I will attend"), ("no", "No, I cannot attend"), ("maybe", "Maybe")],
        widget=forms.RadioSelect,
        label="Will you attend?",
    )
