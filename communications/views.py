from django.http import HttpResponse
from django.views.generic import ListView

from .models import Communication


class CommunicationListView(ListView):
    model = Communication


def unsubscribe(request, token):
    return HttpResponse("")


def preferences(request, token):
    return HttpResponse("")
