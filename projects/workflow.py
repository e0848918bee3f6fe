"""Who may move the portal's status machines (django-fsm-2 `permission=` callables).

Kept apart from the models so the request intake can use the same rule.
"""

from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


def is_center_staff(instance, user) -> bool:  # noqa: ARG001 - django-fsm's permission signature
    """Facilitators and administrators run the work: they move every status machine."""
    return bool(user is not None and user.is_authenticated and user.sees_whole_portfolio)


class StatusMachineMixin(ConcurrentTransitionMixin):
    """A model whose protected status fields move only by transitions, saved with an optimistic
    check of the state it was read in (ConcurrentTransitionMixin).

    `full_clean()` skips the protected fields: Django's clean_fields would assign them, which
    the protection refuses; their values are the transitions' targets, valid by construction.
    """

    def clean_fields(self, exclude=None):
        protected = {f.name for f in self._meta.fields if isinstance(f, FSMFieldMixin) and f.protected}
        super().clean_fields(exclude=set(exclude or ()) | protected)
