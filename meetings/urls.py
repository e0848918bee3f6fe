# Meetings of the advisory bodies: agendas, attendance, minutes, decisions, action items, feedback.
from django.urls import path

from .views import actions, bodies, meetings, minutes, public

app_name = "meetings"

urlpatterns = [
    path("", bodies.body_list, name="body_list"),
    path("bodies/<int:pk>/", bodies.body_detail, name="body_detail"),
    path("bodies/<int:pk>/members/new/", bodies.membership_create, name="membership_create"),
    path("bodies/<int:pk>/feedback-request/", bodies.feedback_request, name="feedback_request"),
    path("bodies/<int:pk>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", meetings.meeting_update, name="meeting_update"),
    path("<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/invite/", meetings.meeting_invite, name="meeting_invite"),
    path("<int:pk>/rsvp/", meetings.meeting_rsvp, name="meeting_rsvp"),
    path("<int:pk>/attendance/", meetings.attendance, name="attendance"),
    path("<int:pk>/agenda/new/", meetings.agenda_item_create, name="agenda_item_create"),
    path("agenda/<int:pk>/edit/", meetings.agenda_item_update, name="agenda_item_update"),
    path("agenda/<int:pk>/move/", meetings.agenda_item_move, name="agenda_item_move"),
    path("agenda/<int:pk>/delete/", meetings.agenda_item_delete, name="agenda_item_delete"),
    path("<int:pk>/minutes/", minutes.minutes_edit, name="minutes_edit"),
    path("<int:pk>/minutes/approve/", minutes.minutes_approve_view, name="minutes_approve"),
    path("<int:pk>/decisions/new/", meetings.decision_create, name="decision_create"),
    path("<int:pk>/action-items/new/", meetings.action_item_create, name="action_item_create"),
    path("<int:pk>/feedback/new/", meetings.feedback_create, name="feedback_create"),
    path("<int:pk>/packet/", meetings.meeting_packet, name="meeting_packet"),
    path("<int:pk>/meeting.ics", meetings.meeting_ics_download, name="meeting_ics"),
    path("action-items/", actions.action_item_list, name="action_item_list"),
    path("action-items/<int:pk>/", actions.action_item_update, name="action_item_update"),
    path("rsvp/<str:token>/", public.rsvp, name="rsvp"),
    path("feedback/<str:token>/", public.feedback_link, name="feedback_link"),
    path("calendar/", public.feeds, name="feeds"),
    path("calendar/new-addresses/", public.feeds_rotate, name="feeds_rotate"),
    path("calendar/<str:key>/all.ics", public.feed_all, name="feed_all"),
    path("calendar/<str:key>/bodies/<int:pk>.ics", public.feed_body, name="feed_body"),
]
