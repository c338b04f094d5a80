import struct
import zlib
from io import BytesIO

import pillow_heif
from PIL import Image


def _saved(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def tiny_jpeg(colour=(200, 60, 60)) -> bytes:
    return _saved(Image.new("RGB", (8, 8), colour), "JPEG")


def tiny_png(colour=(20, 60, 200)) -> bytes:
    return _saved(Image.new("RGB", (8, 8), colour), "PNG")


def tiny_webp() -> bytes:
    return _saved(Image.new("RGB", (8, 8), (90, 90, 20)), "WEBP")


def tiny_heic() -> bytes:
    pillow_heif.register_heif_opener()
    return _saved(Image.new("RGB", (16, 8), (10, 200, 30)), "HEIF")


def jpeg_from_a_phone(*, taken="2026:11:20 09:41:05", latitude=(34, 5, 6.0), longitude=(119, 21, 0.0), orientation=6) -> bytes:
    """A 40×20 JPEG as a phone saves it: sideways with an Orientation tag, with the time it was
    taken and the GPS position in its EXIF, and the make of the phone."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = taken
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: latitude, 3: "E", 4: longitude})
    return _saved(Image.new("RGB", (40, 20), (120, 120, 120)), "JPEG", exif=exif)


def huge_png(width=12_000, height=12_000) -> bytes:
    """A PNG whose header says width × height, in a few hundred bytes: decoding it would need
    hundreds of megabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


POSTSCRIPT = b"%!PS-Adobe-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\nshowpage\n"
