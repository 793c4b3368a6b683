# e-surat service image: a wheel built in a first stage, installed with its runtime dependencies only in a slim
# image that runs as a non-root user. Data (SQLite, uploads, letters, keys, CA) live in the /data volume, or
# the database in PostgreSQL (ESURAT_DATABASE_URL). See docker-compose.yml and the README ("Deployment").
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY config config
COPY conversation conversation
COPY db db
COPY flows flows
COPY letters letters
COPY lifecycle lifecycle
COPY moderation moderation
COPY stats stats
COPY verification verification
COPY visits visits
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ESURAT_DATA_DIR=/data ESURAT_HTTP_HOST=0.0.0.0 ESURAT_HTTP_PORT=8000
RUN useradd --create-home --uid 10001 esurat && mkdir /data && chown esurat /data
COPY --from=build /wheels /wheels
RUN pip install --no-index /wheels/*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/esurat
VOLUME ["/data"]
EXPOSE 8000
# Set ESURAT_PUBLIC_URL to the address residents and QR readers reach (https://...): with a bot token set,
# the service refuses to start on a loopback public URL.
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['ESURAT_HTTP_PORT'], timeout=2)"]
CMD ["esurat", "run"]
