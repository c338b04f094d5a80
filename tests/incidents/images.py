from io import BytesIO

from PIL import Image


def tiny_jpeg(colour=(200, 60, 60)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="JPEG")
    return buffer.getvalue()
