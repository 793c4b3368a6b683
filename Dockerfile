# e-surat service image. Data (SQLite, uploads, letters, keys, CA) live in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ESURAT_DATA_DIR=/data ESURAT_HTTP_HOST=0.0.0.0 ESURAT_HTTP_PORT=8000

RUN useradd --create-home --uid 10001 esurat && mkdir /data && chown esurat /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY flows flows
COPY letters letters
COPY verification verification
COPY db db
COPY lifecycle lifecycle
COPY conversation conversation
COPY moderation moderation
COPY config config
RUN pip install --no-cache-dir .

USER esurat
VOLUME ["/data"]
EXPOSE 8000
# Set ESURAT_PUBLIC_URL to the address residents and QR readers reach (https://...): with a bot token set,
# the service refuses to start on a loopback public URL.
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os;urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"ESURAT_HTTP_PORT\"]}/healthz')"
CMD ["esurat", "run"]
