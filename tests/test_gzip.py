"""Pages and static files leave compressed for a client that accepts gzip, and only once."""

import gzip
import shutil
from pathlib import Path

from django.test import Client

STATIC = Path(__file__).resolve().parent.parent / "static"


def test_a_page_comes_back_gzip_encoded_when_asked(db):
    response = Client().get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b'name="password"' in gzip.decompress(response.content)


def test_a_page_is_plain_for_a_client_that_does_not_ask(db):
    response = Client().get("/accounts/login/")
    assert not response.has_header("Content-Encoding")
    assert b'name="password"' in response.content


def test_a_static_file_served_in_development_comes_back_gzip_encoded(settings):
    # As under `runserver` with DEBUG on: WhiteNoise finds the file in static/ and sends it whole.
    settings.DEBUG = True
    response = Client().get("/static/css/govgrid.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == (STATIC / "css" / "govgrid.css").read_bytes()


def test_a_file_whitenoise_sends_precompressed_is_not_compressed_again(settings, tmp_path):
    # As in production (DEBUG off), where collectstatic wrote a .gz beside each file.
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    css = (STATIC / "css" / "govgrid.css").read_bytes()
    shutil.copy(STATIC / "css" / "govgrid.css", tmp_path / "govgrid.css")
    (tmp_path / "govgrid.css.gz").write_bytes(gzip.compress(css))
    response = Client().get("/static/govgrid.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == css


def test_an_image_is_sent_as_it_is(settings):
    # A PNG (or a photo) is compressed already: gzip would only cost time and its length.
    settings.DEBUG = True
    response = Client().get("/static/favicon.ico", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
