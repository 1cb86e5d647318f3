# prismwatch: multi-stage build. The first stage compiles TypeScript (and better-sqlite3, where no
# prebuilt binary can be downloaded) with dev dependencies; the second carries production
# dependencies only and runs as an unprivileged user.
#
#   docker build -t prismwatch .
#   docker run --init -p 9797:9797 -v prismwatch-data:/var/lib/prismwatch \
#     -v $PWD/probes:/etc/prismwatch/probes:ro -v $PWD/alerts:/etc/prismwatch/alerts:ro prismwatch
#
# Node is PID 1 in exec form, so SIGTERM reaches it and prismwatch shuts down cleanly (in-flight
# probes finish, the outbox is flushed to disk). `--init` (or tini) additionally reaps zombies.
# BASE_IMAGE is pinned to a Node 20 LTS release; override it to use a mirror or a local image.
ARG BASE_IMAGE=docker.io/library/node:20.20.2-bookworm-slim
ARG BUILD_IMAGE=${BASE_IMAGE}

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Compilers for native modules, only when the image lacks them (npm falls back to building
# better-sqlite3 from source when its prebuilt binary cannot be fetched).
RUN if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*; \
    fi
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-if-stale.mjs scripts/tree-hash.mjs ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    PRISMWATCH_LISTEN_ADDRESS=0.0.0.0:9797 \
    PRISMWATCH_DATA_DIR=/var/lib/prismwatch \
    PRISMWATCH_CONFIG=/etc/prismwatch/probes,/etc/prismwatch/alerts
WORKDIR /opt/prismwatch
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY schema ./schema
COPY docs/deployment-checklist.md ./docs/deployment-checklist.md
COPY docs/runbooks ./docs/runbooks
COPY probes /etc/prismwatch/probes
COPY alerts /etc/prismwatch/alerts
RUN mkdir -p /var/lib/prismwatch && chown 10001:10001 /var/lib/prismwatch
USER 10001:10001
VOLUME ["/var/lib/prismwatch", "/etc/prismwatch"]
EXPOSE 9797
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "const a=(process.env.PRISMWATCH_LISTEN_ADDRESS||'').replace('0.0.0.0','127.0.0.1');fetch('http://'+a+'/-/healthy').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["run"]
