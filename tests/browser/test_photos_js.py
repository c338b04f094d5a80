"""mobile/static/mobile/photos.js in Chromium: a phone's photo made small before upload, keeping the
time and place the server reads from its EXIF, and anything else passed on as it came."""

import base64
import struct
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps

from incidents.photos import prepare_photo

from .conftest import CHROMIUM

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

PHOTOS_JS = Path(__file__).resolve().parents[2] / "mobile" / "static" / "mobile" / "photos.js"
IFD1_THUMBNAIL_OFFSET, IFD1_THUMBNAIL_LENGTH = 0x0201, 0x0202

SHRINK = """async (options) => {
  const file = document.getElementById("photo").files[0];
  const result = await GGPhotos.shrink(file, options);
  const data = await new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.split(",")[1]);
    reader.readAsDataURL(result);
  });
  return {name: result.name, type: result.type, unchanged: result === file, data: data};
}"""


@pytest.fixture
def shrink(browser):
    """shrink(name, mime_type, content, **options) runs GGPhotos.shrink on a file picked in a
    page, and returns (name, type, whether it is the very file picked, bytes)."""
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.set_content('<input type="file" id="photo" accept="image/*">')
    page.add_script_tag(path=str(PHOTOS_JS))

    def run(name: str, mime_type: str, content: bytes, **options):
        page.set_input_files("#photo", files=[{"name": name, "mimeType": mime_type, "buffer": content}])
        result = page.evaluate(SHRINK, options or None)
        assert page.errors == []
        return result["name"], result["type"], result["unchanged"], base64.b64decode(result["data"])

    yield run
    context.close()


def with_thumbnail(exif: Image.Exif, thumbnail: bytes) -> bytes:
    """The EXIF as a camera writes it: IFD0 and its sub-IFDs, then IFD1 pointing at a small
    JPEG of the photo as taken (sideways), at the end."""
    little = exif.endian == "<"
    order = "<" if little else ">"
    data = bytearray(exif.tobytes())
    tiff = 6  # after "Exif\0\0"
    (count,) = struct.unpack_from(order + "H", data, tiff + 8)
    next_ifd_at = tiff + 8 + 2 + count * 12
    assert struct.unpack_from(order + "I", data, next_ifd_at) == (0,)
    if len(data) % 2:
        data += b"\0"
    ifd1 = len(data) - tiff
    struct.pack_into(order + "I", data, next_ifd_at, ifd1)
    thumbnail_at = ifd1 + 2 + 2 * 12 + 4
    data += struct.pack(order + "H", 2)
    data += struct.pack(order + "HHII", IFD1_THUMBNAIL_OFFSET, 4, 1, thumbnail_at)
    data += struct.pack(order + "HHII", IFD1_THUMBNAIL_LENGTH, 4, 1, len(thumbnail))
    data += struct.pack(order + "I", 0) + thumbnail
    return bytes(data)


def saved(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def phone_photo(endian: str) -> tuple[bytes, bytes]:
    """A 4000×3000 JPEG stored sideways (Orientation 6), red on the left and blue on the right
    as stored, so red on top when upright; with the time, the GPS position, the pixel size and a
    thumbnail in its EXIF. Returns the photo and its thumbnail."""
    image = Image.new("RGB", (4000, 3000), (220, 30, 30))
    image.paste((30, 30, 220), (2000, 0, 4000, 3000))
    exif = Image.Exif()
    exif.endian = endian
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    exif.get_ifd(0x8769).update({0x9003: "2026:11:20 09:41:05", 0xA002: 4000, 0xA003: 3000})
    exif.get_ifd(0x8825).update({1: "N", 2: (34, 5, 6.0), 3: "E", 4: (119, 21, 0.0)})
    thumbnail = saved(Image.effect_noise((160, 120), 64).convert("RGB"), "JPEG", quality=90)
    return saved(image, "JPEG", quality=90, exif=with_thumbnail(exif, thumbnail)), thumbnail


def prepared(content: bytes):
    return prepare_photo(SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg"))


@pytest.mark.parametrize("endian", ["<", ">"], ids=["little-endian EXIF (II)", "big-endian EXIF (MM)"])
def test_a_phone_photo_is_made_upright_and_at_most_1600_px_keeping_its_time_and_place(shrink, endian):
    original, thumbnail = phone_photo(endian)
    name, content_type, unchanged, content = shrink("IMG_0001.JPG", "image/jpeg", original, maxSide=1600, quality=0.85)

    assert (name, content_type, unchanged) == ("IMG_0001.jpg", "image/jpeg", False)
    assert len(content) < len(original)
    result = Image.open(BytesIO(content))
    assert (result.format, result.size) == ("JPEG", (1200, 1600))
    upright = ImageOps.exif_transpose(Image.open(BytesIO(original))).resize((1200, 1600))
    for point in [(600, 300), (600, 1300)]:
        assert all(abs(a - b) < 40 for a, b in zip(result.getpixel(point), upright.getpixel(point))), point
    exif = result.getexif()
    assert exif[0x0112] == 1  # already upright: nobody may turn it again
    assert (exif.get_ifd(0x8769)[0xA002], exif.get_ifd(0x8769)[0xA003]) == (1200, 1600)
    assert thumbnail not in content and exif.get_ifd(-1) == {}  # the sideways thumbnail is gone

    before, after = prepared(original), prepared(content)
    assert (after.width, after.height) == (1200, 1600)
    assert after.taken_at == before.taken_at is not None
    assert (after.latitude, after.longitude) == (before.latitude, before.longitude) == (pytest.approx(34.085), pytest.approx(119.35))


def test_the_defaults_are_1600_px(shrink):
    original, _thumbnail = phone_photo("<")
    _name, _type, _unchanged, content = shrink("IMG_0002.jpeg", "image/jpeg", original)
    assert Image.open(BytesIO(content)).size == (1200, 1600)


def test_a_large_png_is_resized_to_a_jpeg_on_white(shrink):
    image = Image.new("RGBA", (3000, 2000), (0, 0, 0, 0))
    image.paste((20, 120, 40, 255), (0, 0, 1500, 2000))
    name, content_type, unchanged, content = shrink("screen.png", "image/png", saved(image, "PNG"))
    assert (name, content_type, unchanged) == ("screen.jpg", "image/jpeg", False)
    result = Image.open(BytesIO(content))
    assert (result.format, result.size) == ("JPEG", (1600, 1067))
    assert min(result.getpixel((1200, 500))) > 240  # transparent became white, not black


def test_a_small_jpeg_comes_back_unchanged(shrink):
    original = saved(Image.new("RGB", (1600, 1200), (90, 140, 60)), "JPEG")
    assert shrink("small.jpg", "image/jpeg", original) == ("small.jpg", "image/jpeg", True, original)


def test_a_file_that_is_not_an_image_comes_back_unchanged(shrink):
    text = "路边垃圾堆积, not a photo\n".encode()
    assert shrink("notes.txt", "text/plain", text) == ("notes.txt", "text/plain", True, text)


def test_a_file_named_like_a_photo_that_is_not_one_comes_back_unchanged(shrink):
    fake = b"%PDF-1.4 this is not an image" * 100
    assert shrink("photo.jpg", "image/jpeg", fake) == ("photo.jpg", "image/jpeg", True, fake)
