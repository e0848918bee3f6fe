from django import template

from ..selectors import cadence_overdue, stakeholder_log

register = template.Library()


@register.simple_tag(takes_context=True)
def communication_log(context, stakeholder, limit=50):
    """Rows of what the portal sent `stakeholder`; `report_visible` tells whether the viewer may
    open the communication's delivery report."""
    user = context.get("user")
    rows = list(stakeholder_log(stakeholder, limit=limit))
    for delivery in rows:
        scope = delivery.communication.scope_sea_id
        delivery.report_visible = bool(
            user
            and user.is_authenticated
            and (
                user.sees_whole_portfolio
                or (user.is_sea_staff and scope is not None and scope == user.sea_id)
            )
        )
    return rows


@register.inclusion_tag("communications/_partials/cadence_warnings.html", takes_context=True)
def cadence_warnings(context, sea=None):
    """Overdue-cadence warnings for the dashboards: projects (of one `sea`, if given) whose
    stakeholders have not heard from us within the project's expected cadence."""
    user = context.get("user")
    return {"overdue": cadence_overdue(user, sea=sea) if user is not None else []}
