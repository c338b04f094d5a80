# One image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GOVGRID_DATA_DIR=/var/lib/govgrid \
    MEDIA_ROOT=/var/lib/govgrid/media \
    STATIC_ROOT=/app/staticfiles \
    WEB_CONCURRENCY=3

WORKDIR /app

# The dependencies first, in their own layer, so a code change does not reinstall them.
# Every one of them ships wheels for this image: no compiler is needed.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Only what the app needs: no virtualenv, no local data (var/), no git history.
COPY manage.py ./
COPY govgrid ./govgrid
COPY accounts ./accounts
COPY grids ./grids
COPY incidents ./incidents
COPY volunteers ./volunteers
COPY templates ./templates
COPY static ./static
COPY locale ./locale
# Installed in place: the settings find templates/, static/ and locale/ beside the code.
RUN pip install --no-deps -e .

# DEBUG off so the manifest whitenoise serves from is built; the key only exists for this step.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /var/lib/govgrid --shell /usr/sbin/nologin govgrid \
    && mkdir -p /var/lib/govgrid/media \
    && chown -R govgrid:govgrid /var/lib/govgrid

USER govgrid
EXPOSE 8000

# docker-compose.yml gives the worker and beat their own commands.
# gunicorn takes its number of workers from WEB_CONCURRENCY.
CMD ["gunicorn", "govgrid.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
