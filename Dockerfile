# soundlake image. Targets: `full` (default, with Debian's Chromium for the distrokid job) and
# `slim` (no browser). Build: docker build -t soundlake .   Slim: docker build --target slim -t soundlake:slim .
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: dev dependencies, TypeScript → dist/, then only production dependencies kept ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime without a browser ----
FROM ${NODE_IMAGE} AS slim
ENV NODE_ENV=production
# tini is PID 1: it forwards SIGTERM from ECS / docker stop to node, which aborts a run cleanly.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY sql ./sql
# Runs as the unprivileged `node` user (uid 1000); ./lake, ./landing and warehouse.duckdb land in /data.
RUN mkdir /data /app/.compile-cache && chown node:node /data /app/.compile-cache
USER node
# The code cache of every module the CLI loads, made now as the user that runs it (Node keys the
# cache by uid): each task then starts ~30 ms sooner (bin/soundlake.js, docs/benchmarks.md).
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN node /app/bin/soundlake.js --help >/dev/null
WORKDIR /data
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/soundlake.js"]
CMD ["jobs"]

# ---- runtime with Chromium (the default target) ----
FROM slim AS full
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
USER node
