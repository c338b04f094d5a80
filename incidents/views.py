from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from .models import IncidentPhoto
from .selectors import incidents_visible_to


@login_required
def incident_photo(request, photo_id: int):
    """Photos are served only to those who may see their case."""
    photo = IncidentPhoto.objects.filter(pk=photo_id, incident__in=incidents_visible_to(request.user)).first()
    if photo is None:
        raise Http404("No such photo.")
    return FileResponse(photo.image.open("rb"))
