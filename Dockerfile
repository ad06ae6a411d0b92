# newsbot: one container runs the bot; its data (SQLite database + search index) lives in the /data volume.
#   docker build -t newsbot .
#   docker run -d --name newsbot --init --restart unless-stopped --stop-timeout 30 \
#     -e TELEGRAM_BOT_TOKEN=... -v newsbot-data:/data newsbot
# See compose.yaml and the README's "Running in production".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

# Dependency layer: rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt \
 && rm requirements.txt

# Code layer: the package goes to site-packages (owned by root, read-only for the bot); sources removed.
COPY README.md ./
COPY bot ./bot
COPY index ./index
RUN pip install --no-deps . \
 && rm -rf bot index build ./*.egg-info README.md

# An unprivileged user; /data is theirs.
RUN groupadd --system --gid 10001 newsbot \
 && useradd --system --uid 10001 --gid newsbot --home-dir /app --no-create-home --shell /usr/sbin/nologin newsbot \
 && mkdir /data \
 && chown newsbot:newsbot /data

# The shipped posts; mount your own folder over /app/content to replace them (feeds write into
# /app/content/posts/feeds, so keep a mounted folder writable by uid 10001 if you configure feeds).
COPY --chown=newsbot:newsbot content ./content
COPY config.example.yaml ./

ENV NEWSBOT_CONTENT_DIR=/app/content \
    NEWSBOT_DATA_DIR=/data

USER 10001:10001
VOLUME ["/data"]
# webhook server (newsbot run --webhook) and Prometheus metrics (NEWSBOT_METRICS_PORT=9100), both optional
EXPOSE 8443 9100

HEALTHCHECK --interval=60s --timeout=30s --start-period=120s --retries=3 CMD ["newsbot", "health"]
# The bot stops gracefully on SIGTERM: give it time (docker run --stop-timeout 30 / compose stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["newsbot"]
CMD ["run"]
