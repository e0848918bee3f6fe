FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Cairo and a font for the charts' PNG downloads (CairoSVG draws them on the server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time with throwaway values for the required settings.
RUN DJANGO_SETTINGS_MODULE=r2cc_portal.settings.production \
    SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

RUN useradd --create-home portal && mkdir -p /app/var && chown -R portal /app/var
USER portal
ENV DJANGO_SETTINGS_MODULE=r2cc_portal.settings.production
EXPOSE 8000
CMD ["gunicorn", "r2cc_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
