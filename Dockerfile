# Colocauto's production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    MEDIA_ROOT=/data/media

# WeasyPrint's libraries (PDF reports), gettext (compilemessages) and fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, in their own layer, so a code change doesn't reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# PYTHONPATH makes gunicorn and celery import the code from /app, next to templates/, static/ and locale/.
COPY . .
RUN pip install --no-deps . \
    && if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then python manage.py compilemessages --verbosity 0; fi \
    && COLOCAUTO_ENV=production ALLOWED_HOSTS=build.invalid \
        SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
        python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --create-home --uid 10001 colocauto \
    && mkdir -p /data/media \
    && chown colocauto:colocauto /data/media
USER colocauto

ENV COLOCAUTO_ENV=production
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn colocauto.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --access-logfile - --forwarded-allow-ips '*'"]
