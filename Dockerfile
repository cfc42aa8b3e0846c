FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DJANGO_SETTINGS_MODULE=gwangmyeong_portal.settings.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-0123456789-0123456789-abcdef DJANGO_ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 NOTIFY_SITE_URL=http://build \
    MATCHMAKING_CONTACT_KEY=ilUFeGnTtkxYdswkLWP_GfT3FODGMuLAplnthvJBlZ8= \
    python manage.py collectstatic --noinput
RUN useradd --create-home portal && mkdir -p /data/media && chown portal /data/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "gwangmyeong_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--limit-request-line", "8190", "--access-logfile", "-"]
