# hiremix: build with `docker build -t hiremix .`
# Migrate once per release (not from every worker):
#   docker run --rm -e DATABASE_URL=... hiremix flask --app service db upgrade
# Then serve:
#   docker run -p 8000:8000 -e DATABASE_URL=... -e RATELIMIT_STORAGE_URI=redis://redis:6379/0 hiremix

FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# Dependencies first, in their own layer: it changes only when requirements.txt does.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
RUN pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin hiremix \
    && mkdir -p /app/var \
    && chown hiremix /app/var
COPY --from=build /opt/venv /opt/venv
COPY gunicorn.conf.py /app/gunicorn.conf.py
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HIREMIX_ENV=production \
    HIREMIX_HOST=0.0.0.0 \
    PORT=8000
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=2)"]
CMD ["gunicorn", "-c", "/app/gunicorn.conf.py", "service:create_app()"]
