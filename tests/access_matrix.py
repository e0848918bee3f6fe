"""Who may do what: the access matrix of every route, method and role.

Roles: `anonymous`; `owner`, SEA staff of the state that owns the records in the URL (CT);
`other`, SEA staff of another state (NY); `facilitator`; `admin` (an administrator).
Each row names the route (its URL name, or its pattern when it has none), the keyword arguments
(`"@ct_project"` is the id of that record of the test world in tests/test_access_matrix.py), and
per method the status each role must get: a number, a tuple of allowed numbers, `LOGIN` (a
redirect to the portal's sign-in) or `ADMIN_LOGIN` (a redirect to the admin's sign-in, which
itself goes to the portal's). POSTs carry `data` (empty unless given), so forms answer with their
errors. Admin routes follow ADMIN_RULES by suffix.

A route that is not in this table fails tests/test_access_matrix.py: add its row with the route.
"""

ROLES = ("anonymous", "owner", "other", "facilitator", "admin")
LOGIN = "LOGIN"
ADMIN_LOGIN = "ADMIN_LOGIN"
L = LOGIN


def r(anonymous, owner, other, facilitator, admin) -> dict:
    return dict(zip(ROLES, (anonymous, owner, other, facilitator, admin), strict=True))


# Common rows --------------------------------------------------------------------------------
SIGNED_IN = r(L, 200, 200, 200, 200)  # a page every signed-in user reads (scoped inside)
OWN_STATE = r(L, 200, 404, 200, 200)  # a page about one CT record
OWN_STATE_REDIRECT = r(L, 302, 404, 302, 302)  # a CT record's action that redirects when done
STAFF_ONLY = r(L, 404, 404, 200, 200)  # facilitators' and administrators' pages
STAFF_ONLY_REDIRECT = r(L, 404, 404, 302, 302)
PUBLIC = r(200, 200, 200, 200, 200)
API_LIST = r(401, 200, 200, 200, 200)
API_OBJECT = r(401, 200, 404, 200, 200)
API_NO_METHOD = r(401, 405, 405, 405, 405)

# Names without a namespace that are URL names (the rest without ":" are patterns).
PLAIN_NAMES = {
    "home",
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin_login_redirect",
}


def api(list_name: str, detail_kwarg: str, *, list_post=None, detail_extra=None) -> dict:
    """Rows for a router's list and detail routes."""
    base = list_name.removesuffix("-list")
    list_methods = {"GET": API_LIST}
    if list_post:
        list_methods["POST"] = list_post
    detail_methods = {"GET": API_OBJECT, **(detail_extra or {})}
    return {
        list_name: {"methods": list_methods},
        f"{base}-detail": {"kwargs": {"pk": detail_kwarg}, "methods": detail_methods},
    }


ROUTES = {
    # Portal ---------------------------------------------------------------------------------
    "home": {"methods": {"GET": SIGNED_IN}},
    "healthz": {"methods": {"GET": (200, 503)}},
    # Signed-in users are sent on from the sign-in page; an empty sign-in form shows its errors.
    "login": {"methods": {"GET": r(200, 302, 302, 302, 302), "POST": r(200, 302, 302, 302, 302)}},
    "logout": {"methods": {"POST": r(L, L, L, L, L)}},
    # The admin's sign-in sends to the portal's; signed-in users without admin access are refused.
    "admin_login_redirect": {"methods": {"GET": r(L, 403, 403, 403, 302)}},
    "password_change": {"methods": {"GET": SIGNED_IN, "POST": SIGNED_IN}},
    "password_change_done": {"methods": {"GET": SIGNED_IN}},
    "password_reset": {"methods": {"GET": PUBLIC, "POST": PUBLIC}},
    "password_reset_done": {"methods": {"GET": PUBLIC}},
    "password_reset_confirm": {
        "kwargs": {"uidb64": "MQ", "token": "set-password"},
        "methods": {"GET": PUBLIC},
    },
    "password_reset_complete": {"methods": {"GET": PUBLIC}},
    # Profile, tokens, two-factor --------------------------------------------------------------
    "accounts:profile": {"methods": {"GET": SIGNED_IN}},
    "accounts:api_token_create": {
        "methods": {"GET": r(L, 405, 405, 405, 405), "POST": r(L, 400, 400, 400, 400)}
    },
    # The token belongs to the CT staff member: nobody else may revoke it.
    "accounts:api_token_revoke": {
        "kwargs": {"pk": "@ct_token"},
        "methods": {"POST": r(L, 302, 404, 404, 404)},
    },
    "accounts:two_factor_setup": {"methods": {"GET": SIGNED_IN, "POST": r(L, 302, 302, 302, 302)}},
    # Only a device being set up can be confirmed (the administrator of the test world has one).
    "accounts:two_factor_confirm": {"methods": {"POST": r(L, 404, 404, 404, 400)}},
    "accounts:two_factor_disable": {"methods": {"POST": r(L, 302, 302, 302, 302)}},
    # Without a password accepted a moment ago, the code step sends back to the password.
    "accounts:two_factor_verify": {"methods": {"GET": r(L, L, L, L, L)}},
    # Projects -------------------------------------------------------------------------------
    "projects:list": {"methods": {"GET": SIGNED_IN}},
    "projects:detail": {"kwargs": {"pk": "@ct_project"}, "methods": {"GET": OWN_STATE}},
    "projects:network": {"methods": {"GET": SIGNED_IN}},
    "projects:state_dashboard": {"kwargs": {"state_code": "CT"}, "methods": {"GET": OWN_STATE}},
    "projects:activity_list": {"methods": {"GET": SIGNED_IN}},
    "projects:activity_create": {"methods": {"GET": SIGNED_IN, "POST": SIGNED_IN}},
    "projects:activity_detail": {"kwargs": {"pk": "@ct_activity"}, "methods": {"GET": OWN_STATE}},
    # Type-ahead matches, scoped inside to what the user may see.
    "projects:pick_project": {"methods": {"GET": SIGNED_IN}},
    "projects:pick_product": {"methods": {"GET": SIGNED_IN}},
    "projects:pick_person": {"methods": {"GET": SIGNED_IN}},
    "projects:pick_district": {"methods": {"GET": SIGNED_IN}},
    "projects:pick_activity": {"methods": {"GET": SIGNED_IN}},
    "projects:activity_update": {
        "kwargs": {"pk": "@ct_activity"},
        "methods": {"GET": OWN_STATE, "POST": OWN_STATE},
    },
    "projects:activity_delete": {
        "kwargs": {"pk": "@ct_activity"},
        "methods": {"GET": OWN_STATE, "POST": OWN_STATE_REDIRECT},
    },
    "projects:assessment_create": {
        "kwargs": {"pk": "@ct_project"},
        "methods": {"GET": OWN_STATE, "POST": OWN_STATE},
    },
    "projects:indicator_detail": {"kwargs": {"pk": "@ct_indicator"}, "methods": {"GET": OWN_STATE}},
    "projects:indicator_value_create": {
        "kwargs": {"pk": "@ct_indicator"},
        "methods": {"GET": OWN_STATE, "POST": OWN_STATE},
    },
    # Directory ------------------------------------------------------------------------------
    "stakeholders:stakeholder_list": {"methods": {"GET": SIGNED_IN}},
    "projects:create": {"methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY}},
    "projects:update": {"kwargs": {"pk": "@ct_project"}, "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY}},
    "projects:status_move": {"kwargs": {"pk": "@ct_project"}, "methods": {"POST": STAFF_ONLY_REDIRECT}},
    "projects:goal_create": {
        "kwargs": {"pk": "@ct_project"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "projects:goal_detail": {"kwargs": {"pk": "@ct_goal"}, "methods": {"GET": OWN_STATE}},
    "projects:goal_update": {
        "kwargs": {"pk": "@ct_goal"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "projects:goal_status_move": {"kwargs": {"pk": "@ct_goal"}, "methods": {"POST": STAFF_ONLY_REDIRECT}},
    "projects:objective_create": {
        "kwargs": {"pk": "@ct_goal"},
        "methods": {"POST": r(L, 404, 404, 400, 400)},
    },
    "projects:objective_status_move": {
        "kwargs": {"pk": "@ct_objective"},
        "methods": {"POST": STAFF_ONLY_REDIRECT},
    },
    # The state's own staff propose goal edits; the center decides them.
    "projects:goal_propose": {
        "kwargs": {"pk": "@ct_goal"},
        "methods": {"GET": r(L, 200, 404, 404, 404), "POST": r(L, 200, 404, 404, 404)},
    },
    "projects:goal_proposal_decide": {
        "kwargs": {"pk": "@ct_goal_proposal"},
        "methods": {"POST": STAFF_ONLY_REDIRECT},
    },
    "projects:product_list": {"methods": {"GET": SIGNED_IN}},
    "projects:product_create": {
        "kwargs": {"pk": "@ct_project"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "projects:product_detail": {"kwargs": {"pk": "@ct_product"}, "methods": {"GET": OWN_STATE}},
    "projects:product_update": {
        "kwargs": {"pk": "@ct_product"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "projects:product_status_move": {
        "kwargs": {"pk": "@ct_product"},
        "methods": {"POST": STAFF_ONLY_REDIRECT},
    },
    "projects:product_file": {"kwargs": {"pk": "@ct_product"}, "methods": {"GET": OWN_STATE}},
    "projects:product_version_create": {
        "kwargs": {"pk": "@ct_product"},
        "methods": {"POST": r(L, 404, 404, 400, 400)},
    },
    # The version has a link and no file: nobody downloads anything, another state not even the 404's reason.
    "projects:product_version_file": {
        "kwargs": {"pk": "@ct_product_version"},
        "methods": {"GET": r(L, 404, 404, 404, 404)},
    },
    # SEA staff of the product's state and the center record adoptions; an empty form is a 400.
    "projects:product_adoption_create": {
        "kwargs": {"pk": "@ct_product"},
        "methods": {"POST": r(L, 400, 404, 400, 400)},
    },
    # Requests for help ----------------------------------------------------------------------
    "intake:list": {"methods": {"GET": SIGNED_IN}},
    # SEA staff get the form of their state; facilitators first choose the state.
    "intake:create": {"methods": {"GET": SIGNED_IN, "POST": SIGNED_IN}},
    "intake:detail": {"kwargs": {"pk": "@ct_request"}, "methods": {"GET": OWN_STATE}},
    "intake:move": {"kwargs": {"pk": "@ct_request"}, "methods": {"POST": STAFF_ONLY_REDIRECT}},
    "intake:accept_as_project": {
        "kwargs": {"pk": "@ct_request"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "stakeholders:stakeholder_detail": {"kwargs": {"pk": "@ct_stakeholder"}, "methods": {"GET": OWN_STATE}},
    "stakeholders:district_list": {"methods": {"GET": SIGNED_IN}},
    # Communications -------------------------------------------------------------------------
    "communications:list": {"methods": {"GET": SIGNED_IN}},
    "communications:create": {"methods": {"GET": SIGNED_IN, "POST": SIGNED_IN}},
    "communications:detail": {"kwargs": {"pk": "@ct_communication"}, "methods": {"GET": OWN_STATE}},
    "communications:update": {
        "kwargs": {"pk": "@ct_communication"},
        "methods": {"GET": OWN_STATE, "POST": OWN_STATE},
    },
    "communications:schedule": {
        "kwargs": {"pk": "@ct_communication"},
        "methods": {"GET": r(405, 405, 405, 405, 405), "POST": r(L, 400, 404, 400, 400)},
    },
    "communications:cancel": {"kwargs": {"pk": "@ct_communication"}, "methods": {"POST": OWN_STATE_REDIRECT}},
    "communications:send_test": {
        "kwargs": {"pk": "@ct_communication"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    "communications:report": {"kwargs": {"pk": "@ct_communication"}, "methods": {"GET": OWN_STATE}},
    "communications:schedule_dates": {"kwargs": {"pk": "@ct_communication"}, "methods": {"GET": OWN_STATE}},
    "communications:preview": {"kwargs": {"pk": "@ct_communication"}, "methods": {"GET": OWN_STATE}},
    "communications:retry_failed": {
        "kwargs": {"pk": "@ct_communication"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    "communications:schedule_pause": {
        "kwargs": {"pk": "@ct_schedule"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    "communications:delivery_bounce": {
        "kwargs": {"pk": "@ct_delivery"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    "communications:cadence": {"methods": {"GET": SIGNED_IN}},
    "communications:cadence_set": {
        "kwargs": {"project_pk": "@ct_project"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    # Signed links: a forged one is refused to everybody.
    "communications:unsubscribe": {"kwargs": {"token": "not-a-valid-link"}, "methods": {"GET": 404}},
    "communications:preferences": {"kwargs": {"token": "not-a-valid-link"}, "methods": {"GET": 404}},
    # Meetings -------------------------------------------------------------------------------
    "meetings:body_list": {"methods": {"GET": SIGNED_IN}},
    "meetings:body_detail": {"kwargs": {"pk": "@ct_body"}, "methods": {"GET": OWN_STATE}},
    "meetings:membership_create": {
        "kwargs": {"pk": "@ct_body"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:feedback_request": {
        "kwargs": {"pk": "@ct_body"},
        "methods": {"GET": r(L, 405, 405, 405, 405), "POST": STAFF_ONLY_REDIRECT},
    },
    "meetings:meeting_create": {
        "kwargs": {"pk": "@ct_body"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:meeting_detail": {"kwargs": {"pk": "@ct_meeting"}, "methods": {"GET": OWN_STATE}},
    "meetings:meeting_update": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:meeting_cancel": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:meeting_invite": {"kwargs": {"pk": "@ct_meeting"}, "methods": {"POST": STAFF_ONLY}},
    # Without a participant to record, even staff get 404.
    "meetings:meeting_rsvp": {"kwargs": {"pk": "@ct_meeting"}, "methods": {"POST": r(L, 404, 404, 404, 404)}},
    "meetings:attendance": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:agenda_item_create": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:agenda_item_update": {
        "kwargs": {"pk": "@ct_agenda_item"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:agenda_item_move": {
        "kwargs": {"pk": "@ct_agenda_item"},
        "methods": {"POST": STAFF_ONLY_REDIRECT},
    },
    "meetings:agenda_item_delete": {
        "kwargs": {"pk": "@ct_agenda_item"},
        "methods": {"POST": STAFF_ONLY_REDIRECT},
    },
    "meetings:minutes_edit": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    # No minutes written yet: nothing to approve, for anybody.
    "meetings:minutes_approve": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"POST": r(L, 404, 404, 404, 404)},
    },
    "meetings:decision_create": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:action_item_create": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:feedback_create": {
        "kwargs": {"pk": "@ct_meeting"},
        "methods": {"GET": STAFF_ONLY, "POST": STAFF_ONLY},
    },
    "meetings:meeting_packet": {"kwargs": {"pk": "@ct_meeting"}, "methods": {"GET": OWN_STATE}},
    "meetings:meeting_ics": {"kwargs": {"pk": "@ct_meeting"}, "methods": {"GET": OWN_STATE}},
    "meetings:action_item_list": {"methods": {"GET": SIGNED_IN}},
    # Accountability ---------------------------------------------------------------------------
    "accountability:inbox": {"methods": {"GET": SIGNED_IN}},
    # Only the counterpart's answer counts; anyone else who may see it is told so on the page.
    "accountability:attestation_answer": {
        "kwargs": {"pk": "@ct_attestation"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    "accountability:statement_answer": {
        "kwargs": {"pk": "@ct_statement"},
        "methods": {"POST": OWN_STATE_REDIRECT},
    },
    # Signed links: no sign-in; a link that is not signed is refused for everybody.
    "accountability:attest_link": {
        "kwargs": {"token": "not-a-valid-link"},
        "methods": {"GET": 400, "POST": 400},
    },
    "accountability:statement_link": {
        "kwargs": {"token": "not-a-valid-link"},
        "methods": {"GET": 400, "POST": 400},
    },
    "accountability:survey_link": {
        "kwargs": {"token": "not-a-valid-link"},
        "methods": {"GET": 400, "POST": 400},
    },
    "accountability:dashboard": {"methods": {"GET": SIGNED_IN}},
    "accountability:report": {"methods": {"GET": SIGNED_IN}},
    "accountability:report_print": {"methods": {"GET": SIGNED_IN}},
    "accountability:records": {"query": "?kind=attestations", "methods": {"GET": SIGNED_IN}},
    "accountability:explanation_save": {"methods": {"POST": STAFF_ONLY_REDIRECT}},
    "accountability:survey_results": {"methods": {"GET": SIGNED_IN}},
    "meetings:action_item_update": {
        "kwargs": {"pk": "@ct_action_item"},
        "methods": {"GET": OWN_STATE, "POST": OWN_STATE},
    },
    "meetings:rsvp": {"kwargs": {"token": "not-a-valid-link"}, "methods": {"GET": 400}},
    "meetings:feedback_link": {"kwargs": {"token": "not-a-valid-link"}, "methods": {"GET": 400}},
    "meetings:feeds": {"methods": {"GET": SIGNED_IN}},
    "meetings:feeds_rotate": {"methods": {"POST": r(L, 302, 302, 302, 302)}},
    # Calendar feeds are read by calendar programs with a secret key instead of a session.
    "meetings:feed_all": {"kwargs": {"key": "not-a-key"}, "methods": {"GET": 404}},
    "meetings:feed_body": {"kwargs": {"key": "not-a-key", "pk": "@ct_body"}, "methods": {"GET": 404}},
    # API ------------------------------------------------------------------------------------
    **api("api:sea-list", "@ct_sea"),
    **api("api:office-list", "@ct_office"),
    **api("api:district-list", "@ct_district"),
    **api("api:partnercenter-list", "@partner_center"),
    **api("api:organization-list", "@organization"),
    **api("api:stakeholder-list", "@ct_stakeholder"),
    **api("api:advisorybody-list", "@ct_body"),
    **api("api:membership-list", "@ct_membership"),
    **api("api:project-list", "@ct_project"),
    **api("api:condition-list", 1, detail_extra=None),
    **api("api:assessment-list", "@ct_assessment", list_post=r(401, 400, 400, 400, 400)),
    **api(
        "api:activity-list",
        "@ct_activity",
        list_post=r(401, 400, 400, 400, 400),
        detail_extra={
            "PATCH": r(401, 200, 404, 200, 200),
            "PUT": r(401, 400, 404, 400, 400),
            "DELETE": r(401, 204, 404, 204, 204),
        },
    ),
    **api("api:indicator-list", "@ct_indicator"),
    **api("api:indicatorvalue-list", "@ct_indicator_value", list_post=r(401, 400, 400, 400, 400)),
    **api("api:product-list", "@ct_product"),
    **api("api:meeting-list", "@ct_meeting"),
    **api(
        "api:actionitem-list",
        "@ct_action_item",
        detail_extra={"PATCH": r(401, 200, 404, 200, 200)},
    ),
    **api("api:communication-list", "@ct_communication"),
    **api("api:delivery-list", "@ct_delivery"),
    **api("api:attestation-list", "@ct_attestation"),
    # An empty answer is a 400 for whoever may see it (the counterpart check follows the input's).
    "api:attestation-answer": {
        "kwargs": {"pk": "@ct_attestation"},
        "methods": {"POST": r(401, 400, 404, 400, 400)},
    },
    **api("api:surveyresponse-list", "@ct_survey_response"),
    "api:report-table": {"kwargs": {"table": "services"}, "methods": {"GET": API_LIST}},
    "api:survey-results": {"methods": {"GET": API_LIST}},
    # Running the work: reads scoped like the rest; moves are the center's (SEA staff get a 404,
    # the center an empty move's 400).
    **api("api:tarequest-list", "@ct_request", list_post=r(401, 400, 400, 400, 400)),
    "api:tarequest-move": {"kwargs": {"pk": "@ct_request"}, "methods": {"POST": r(401, 404, 404, 400, 400)}},
    **api("api:goal-list", "@ct_goal"),
    "api:goal-move": {"kwargs": {"pk": "@ct_goal"}, "methods": {"POST": r(401, 404, 404, 400, 400)}},
    **api("api:objective-list", "@ct_objective"),
    "api:objective-move": {
        "kwargs": {"pk": "@ct_objective"},
        "methods": {"POST": r(401, 404, 404, 400, 400)},
    },
    "api:product-move": {"kwargs": {"pk": "@ct_product"}, "methods": {"POST": r(401, 404, 404, 400, 400)}},
    **api("api:productadoption-list", "@ct_adoption", list_post=r(401, 400, 400, 400, 400)),
    "api:schema": {"methods": {"GET": PUBLIC}},
    "api:docs": {"methods": {"GET": PUBLIC}},
}
# Reference data shared by every state: any signed-in user reads every row.
for _name in ("api:condition-detail", "api:partnercenter-detail", "api:organization-detail"):
    ROUTES[_name]["methods"] = {"GET": API_LIST}

# The admin: every signed-in non-staff user and anonymous visitors are sent to sign in; the
# administrator opens lists and forms. Object routes are probed with an id that does not exist.
ADMIN_NOT_STAFF = {
    "anonymous": ADMIN_LOGIN,
    "owner": ADMIN_LOGIN,
    "other": ADMIN_LOGIN,
    "facilitator": ADMIN_LOGIN,
}
# Files a page offers (core/downloads.py, `?download=<name>.<format>`): each follows the access rule
# of its page. `{ct_project}` in a query is that record's id in the test world.
DOWNLOADS = {
    "home": [
        ("?download=activity-hours.png", SIGNED_IN),
        ("?download=activity-hours.svg", SIGNED_IN),
        ("?download=activity-hours.csv", SIGNED_IN),
        ("?download=indicators-on-target.png", SIGNED_IN),
        ("?download=projects-by-state.csv", SIGNED_IN),
        ("?download=conditions-heat-map.csv", SIGNED_IN),
        ("?download=overdue-products.csv", SIGNED_IN),
        ("?download=no-such-chart.png", r(L, 404, 404, 404, 404)),
    ],
    "projects:state_dashboard": [
        ("?download=ct-activity-hours.png", OWN_STATE),
        ("?download=ct-activity-hours.csv", OWN_STATE),
        ("?download=ct-projects-needing-attention.csv", OWN_STATE),
        ("?download=ct-districts.csv", OWN_STATE),
        ("?download=ct-partner-centers.csv", OWN_STATE),
    ],
    "projects:detail": [
        ("?download=project-{ct_project}-stages-common-agenda.png", OWN_STATE),
        ("?download=project-{ct_project}-stages-common-agenda.csv", OWN_STATE),
        ("?download=project-{ct_project}-indicators.csv", OWN_STATE),
        ("?download=project-{ct_project}-products.csv", OWN_STATE),
        ("?download=project-{ct_project}-activities.csv", OWN_STATE),
    ],
    "projects:indicator_detail": [
        ("?download=indicator-{ct_indicator}.png", OWN_STATE),
        ("?download=indicator-{ct_indicator}.csv", OWN_STATE),
    ],
    # Another state's network falls back to the user's own, which offers no file named CT.
    "projects:network": [
        ("?state=CT&download=network-of-support-ct.svg", OWN_STATE),
        ("?state=CT&download=network-of-support-ct.csv", OWN_STATE),
    ],
    "meetings:body_detail": [
        ("?download=feedback-nutmeg.png", OWN_STATE),
        ("?download=feedback-nutmeg.csv", OWN_STATE),
    ],
}


ADMIN_RULES = (
    # (suffix of the URL name or pattern, administrator's status)
    ("_changelist", 200),
    ("_add", (200, 403)),  # 403 where the admin allows no adding (security log, tokens, axes logs)
    ("_change", 302),  # no such object: back to the admin index with a message
    ("_delete", (302, 403)),  # 403 where nothing may be deleted (security log, conditions)
    ("_simple_history", 404),  # one historical version of an object that does not exist
    ("_history", (302, 404)),  # Django's history redirects, django-simple-history's answers 404
    ("_process_import", 405),  # the CSV import's confirmation takes a POST only
    ("_import", 200),
)
ADMIN_SPECIAL = {
    "admin:index": {"methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}}},
    "admin:login": {"methods": {"GET": r(L, 403, 403, 403, 302)}},
    "admin:logout": {"methods": {"POST": r(302, 302, 302, 302, 302)}},
    "admin:password_change": {"methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}}},
    "admin:password_change_done": {"methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}}},
    "admin:autocomplete": {"methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 403}}},
    "admin:jsi18n": {"methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}}},
    "admin:view_on_site": {
        "kwargs": {"content_type_id": 1, "object_id": 0},
        "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 404}},
    },
    # django-otp's admin pages of a TOTP device (its secret as a QR code): administrators only.
    "admin:otp_totp_totpdevice_config": {
        "kwargs": {"pk": "@admin_device"},
        "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}},
    },
    "admin:otp_totp_totpdevice_qrcode": {
        "kwargs": {"pk": "@admin_device"},
        "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}},
    },
    "admin:auth_user_password_change": {
        "kwargs": {"id": 0},
        "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 404}},
    },
    "admin:app_list": {
        "kwargs": {"app_label": "projects"},
        "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": 200}},
    },
}


def group_of(key: str) -> str:
    if key.startswith("admin"):
        return "admin"
    return key.split(":", 1)[0] if ":" in key else "portal"


def spec_for(key: str) -> dict | None:
    if key in ROUTES:
        return ROUTES[key]
    if key in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[key]
    if key.startswith(("admin:", "admin/")):
        if key.startswith("admin/"):
            # The admin's unnamed redirects of bare object URLs and its catch-all.
            return {"fill": "0", "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": (301, 302, 404)}}}
        name = key.removeprefix("admin:")
        for suffix, status in ADMIN_RULES:
            if name.endswith(suffix):
                kwargs = {"object_id": 0} if suffix in ("_change", "_delete", "_history") else {}
                args = [0, 0] if suffix == "_simple_history" else []
                return {
                    "kwargs": kwargs,
                    "args": args,
                    "methods": {"GET": {**ADMIN_NOT_STAFF, "admin": status}},
                }
    return None
