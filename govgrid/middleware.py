from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak Chinese, whatever language the browser is set to, until the user picks
    English in the language menu (a cookie). API clients choose by Accept-Language."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/") or chosen:
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class GZipTextMiddleware(GZipMiddleware):
    """Django's GZip (with its "Heal the BREACH" padding) for text: pages, JSON, scripts, styles,
    SVG. Photos and PNGs are compressed already; gzipping them again gains nothing, costs the
    server, and drops the length a phone shows its download progress by."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if content_type.startswith(("image/", "video/", "audio/")) and not content_type.startswith("image/svg"):
            return response
        return super().process_response(request, response)
