# newsbot: one container runs the bot; data (index + SQLite) lives in the /data volume.
#   docker build -t newsbot .
#   docker run -d --name newsbot -e TELEGRAM_BOT_TOKEN=... -v newsbot-data:/data newsbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependency layer: rebuilt only when pyproject.toml changes (empty packages stand in for the code).
COPY pyproject.toml README.md ./
RUN mkdir bot index \
 && touch bot/__init__.py index/__init__.py \
 && pip install . \
 && pip uninstall --yes ngo-newsbot \
 && rm -rf bot index build

# Code layer.
COPY bot ./bot
COPY index ./index
RUN pip install --no-deps . && rm -rf build

# The shipped posts; mount a folder over /app/content to replace them.
COPY content ./content
COPY config.example.yaml ./

RUN useradd --system --uid 10001 --no-create-home --home-dir /app newsbot \
 && mkdir /data \
 && chown newsbot:newsbot /data

ENV NEWSBOT_CONTENT_DIR=/app/content \
    NEWSBOT_DATA_DIR=/data

USER newsbot
VOLUME ["/data"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["newsbot"]
CMD ["run"]
