"""Photos as they are stored: checked by their content, re-encoded, stripped of metadata.

A client's file name and content type prove nothing. The format is read from the content and
only JPEG, PNG, WebP and HEIC (iPhones) are taken. The pixel count is read from the header and
checked before anything is decoded, so a small file that unpacks into a huge image is refused
cheaply. The image is then turned upright, re-encoded (HEIC as JPEG, which every browser
shows) and saved with no metadata at all; the time it was taken and its GPS position are read
from EXIF first and kept on the photo.
"""

import warnings
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

pillow_heif.register_heif_opener()

# Pillow's name for the format read → how it is stored: (Pillow's format, extension, content type).
STORED_AS = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "PNG": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
    "HEIF": ("JPEG", "jpg", "image/jpeg"),
}
CONTENT_TYPES = {extension: content_type for _format, extension, content_type in STORED_AS.values()}
THUMBNAIL_PIXELS = 320
EARLIEST_TAKEN = datetime(2000, 1, 1)

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME_ORIGINAL = 0x9003
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


class PhotoRefused(ValueError):
    """Not a photo we store; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class PreparedPhoto:
    content: ContentFile
    width: int
    height: int
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


def prepare_photo(upload) -> PreparedPhoto:
    """The stored form of an uploaded file, or PhotoRefused."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise PhotoRefused(_("The photo is larger than %(limit)d MB.") % {"limit": settings.PHOTO_MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    try:
        # Pillow warns of a large image here; the limit checked next is ours, and lower.
        with warnings.catch_warnings(action="ignore", category=Image.DecompressionBombWarning):
            image = Image.open(upload)
    except Exception:  # noqa: BLE001 - a decoder given anyone's bytes may raise anything
        raise PhotoRefused(_("Not a photo: send a JPEG, PNG, WebP or HEIC image.")) from None
    if image.format not in STORED_AS:
        raise PhotoRefused(_("Not a photo: send a JPEG, PNG, WebP or HEIC image."))
    width, height = image.size
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise PhotoRefused(
            _("The photo has %(pixels)s megapixels; at most %(limit)s are taken.")
            % {"pixels": round(width * height / 1e6, 1), "limit": round(settings.PHOTO_MAX_PIXELS / 1e6, 1)}
        )
    try:
        with warnings.catch_warnings(action="ignore", category=UserWarning):  # "Corrupt EXIF data"
            image.load()
            exif = image.getexif()
            upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - damaged files fail in every way the decoders have
        raise PhotoRefused(_("The photo is damaged and cannot be read.")) from None
    pillow_format, extension, _content_type = STORED_AS[image.format]
    latitude, longitude = _gps_position(exif)
    return PreparedPhoto(
        content=ContentFile(_encode(upright, pillow_format), name=f"photo.{extension}"),
        width=upright.width,
        height=upright.height,
        taken_at=_taken_at(exif),
        latitude=latitude,
        longitude=longitude,
    )


def thumbnail_of(image_file) -> ContentFile:
    image_file.seek(0)
    with Image.open(image_file) as image:
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        return ContentFile(_encode(image, "JPEG"), name="thumbnail.jpg")


def content_type_of(name: str) -> str | None:
    """The content type of a stored photo, from the extension we gave it; None if it is not one."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = BytesIO()
    # Nothing is passed on: no EXIF, no ICC profile, no text chunks.
    options = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 85}, "PNG": {"optimize": True}}[pillow_format]
    image.save(buffer, format=pillow_format, **options)
    return buffer.getvalue()


def _taken_at(exif) -> datetime | None:
    """DateTimeOriginal, a camera's local time with no zone: taken to be the town's. A date no
    phone could have taken a report's photo on (a clock never set, year 1) is no date."""
    value = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL)
    try:
        taken = datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    if not EARLIEST_TAKEN.year <= taken.year <= timezone.localdate().year + 1:
        return None
    return timezone.make_aware(taken)


def _gps_position(exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF, "N"), "S")
        longitude = _degrees(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def _degrees(parts, reference: str, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return round(-value if str(reference).strip("\x00 ").upper() == negative else value, 7)
