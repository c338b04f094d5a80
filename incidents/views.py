from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, JsonResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .models import IncidentPhoto
from .photos import content_type_of
from .selectors import incidents_visible_to


def incident_photo(request, photo_id: int, thumbnail: bool = False):
    """A photo, to whoever may see its case: a logged-in browser, or an API client with its
    token. A photo of a case the asker may not see does not exist (404)."""
    try:
        # None unless the request carries "Authorization: Token …" (a proxy's Basic header is not ours).
        by_token = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as failed:
        return JsonResponse({"detail": str(failed.detail)}, status=401, headers={"WWW-Authenticate": "Token"})
    user = by_token[0] if by_token else request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    photo = IncidentPhoto.objects.filter(pk=photo_id, incident__in=incidents_visible_to(user)).first()
    if photo is None:
        raise Http404("No such photo.")
    stored = photo.thumbnail if thumbnail and photo.thumbnail else photo.image
    content_type = content_type_of(stored.name)
    try:
        opened = stored.open("rb")
    except FileNotFoundError:
        raise Http404("The photo's file is missing.") from None
    # Only an image we stored ourselves is shown in the page; anything else is a download.
    return FileResponse(
        opened,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=stored.name.rsplit("/", 1)[-1],
    )
