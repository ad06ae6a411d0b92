# newsbot: one container runs the bot; its data (SQLite database, search index, feed posts) lives in /data.
#   docker build -t newsbot .
#   docker run -d --name newsbot --init --restart unless-stopped --stop-timeout 30 \
#     -e TELEGRAM_BOT_TOKEN=... -v newsbot-data:/data newsbot
# See compose.yaml and the README's "Running in production" (the lock files: "Locked dependencies").
#
# Three stages: `deps` installs the locked dependencies (hash-checked) into /opt/venv, keyed to
# requirements.lock alone; `build` makes the package's wheel (setuptools from requirements-build.lock) and
# installs it under /out; the final image copies the two results onto a clean base: no source layer, no
# build tool (no setuptools, no pip in /opt/venv), nothing but the venv, the posts and the config example.

FROM python:3.11-slim AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
COPY requirements.lock /tmp/
RUN python -m venv --without-pip /opt/venv \
 && python -m pip --python /opt/venv/bin/python install --no-deps --require-hashes -r /tmp/requirements.lock

FROM deps AS build
COPY requirements-build.lock /tmp/
RUN python -m pip install --no-deps --require-hashes -r /tmp/requirements-build.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY index ./index
RUN python -m pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && python -m pip --python /opt/venv/bin/python install --no-deps --no-warn-script-location --root /out /wheels/*.whl

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

# Dependency layer: the same bytes until requirements.lock changes.
COPY --from=deps /opt/venv /opt/venv
# Code layer: the package installed in the venv (owned by root, read-only for the bot).
COPY --from=build /out/ /

# An unprivileged user; /data is theirs.
RUN groupadd --system --gid 10001 newsbot \
 && useradd --system --uid 10001 --gid newsbot --home-dir /app --no-create-home --shell /usr/sbin/nologin newsbot \
 && mkdir -p /data /app \
 && chown newsbot:newsbot /data

WORKDIR /app
# The shipped posts (read-only for the bot); mount your own folder over /app/content to replace them.
# Feed posts are written to /data/feeds, so they survive a new container.
COPY content ./content
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
