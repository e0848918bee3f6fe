"""The section of the top navigation the current page belongs to (marked with aria-current)."""

# (namespace, url name prefix) -> section; the first match wins, the namespace alone last.
SECTIONS = (
    ("", "home", "work"),
    ("projects", "", "work"),
    ("intake", "", "work"),
    ("accountability", "", "work"),
    ("meetings", "", "meetings"),
    ("communications", "", "communications"),
    ("stakeholders", "", "directory"),
    ("accounts", "", "account"),
)


def navigation(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_section": "", "nav_view": ""}
    namespace = match.namespace or ""
    for space, prefix, section in SECTIONS:
        if namespace == space and (match.url_name or "").startswith(prefix):
            return {"nav_section": section, "nav_view": match.view_name}
    return {"nav_section": "", "nav_view": match.view_name}
