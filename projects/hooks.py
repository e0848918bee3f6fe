"""Plug-in points for apps above projects (which projects may not import).

- `on_activity_saved`: called inside the transaction that logs or edits an activity, after its
  history record is written, with `activity`, `created` and `by`.
- `register_demo_loader`: a function `(*, today) -> int` (records created) that `seed_demo` runs
  after the projects' demo world, in the same transaction, in the order the apps registered.
- `register_panel(place)`: a function `(request, obj) -> str` whose HTML is shown on a page of
  this app; places are "activity_detail" (obj: the activity), "project_detail" (the project)
  and "state_dashboard" (the SEA). A panel keeps the page's query budget: a fixed number of
  queries whatever the data.
"""

from collections.abc import Callable

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

_activity_saved: list[Callable] = []
_panels: dict[str, list[Callable]] = {}


def on_activity_saved(function: Callable) -> Callable:
    if function not in _activity_saved:
        _activity_saved.append(function)
    return function


def activity_saved(*, activity, created: bool, by) -> None:
    for function in _activity_saved:
        function(activity=activity, created=created, by=by)


_demo_loaders: list[Callable] = []


def register_demo_loader(function: Callable) -> Callable:
    if function not in _demo_loaders:
        _demo_loaders.append(function)
    return function


def demo_loaders() -> list[Callable]:
    return list(_demo_loaders)


def register_panel(place: str) -> Callable[[Callable], Callable]:
    def decorator(function: Callable) -> Callable:
        functions = _panels.setdefault(place, [])
        if function not in functions:
            functions.append(function)
        return function

    return decorator


def panels(place: str, *, request, obj) -> list[SafeString]:
    # Panels render templates (safe strings); anything else is escaped, never trusted.
    return [
        conditional_escape(html) for function in _panels.get(place, ()) if (html := function(request, obj))
    ]
