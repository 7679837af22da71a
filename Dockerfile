# temporal-sync worker image. Build: docker build -t temporal-sync .   (or podman build --format docker)
# Debian slim, not Alpine: the Temporal SDK's native core ships for glibc only.
# Node 24 LTS (supported until 2028-04-30): the newest Node the Temporal TypeScript SDK's own CI runs
# its integration tests on ("min and max officially supported": 20 and 24); Node 20 is end of life.
# The stand-in CI builds for this FROM: scripts/deploy/standins/build-node-base.sh.

# --- build: compile TypeScript and bundle the workflow code once, then keep only what runs ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci can exit 0 with nothing installed ("Exit handler never called!", npm/cli#7881); npm ls then
# fails the step, so the build stops here, loudly, and the broken layer is never cached.
RUN npm ci --no-audit --no-fund && npm ls --depth=0 >/dev/null
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build's last step (migrations copied, workflow bundle written) is a build tool, not part of dist/.
COPY scripts/finish-build.ts ./scripts/
RUN npm run build
# Production dependencies only, then what the worker never loads: webpack and swc (the bundle is
# prebuilt), core-bridge binaries for other platforms, TypeScript files.
COPY scripts/deploy/prune-runtime-deps.mjs /tmp/prune-runtime-deps.mjs
RUN npm prune --omit=dev --no-audit --no-fund && npm ls --omit=dev --depth=0 >/dev/null \
 && node /tmp/prune-runtime-deps.mjs --in-image-build

# --- runtime: the built worker and its pruned dependencies, nothing else ---
FROM node:24-bookworm-slim AS runtime
# The heap cap npm start gives the worker too: without it V8 grows the heap lazily towards a limit
# set by the host's memory, and the worker's RSS rises with the size of a pass though nothing is kept.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=128 \
    TEMPORAL_SYNC_LOG_FORMAT=json \
    TEMPORAL_SYNC_METRICS_PORT=9464
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's own "node" user, by number, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9464
STOPSIGNAL SIGTERM
# Node itself does the request: the image has no curl or wget.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TEMPORAL_SYNC_METRICS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/worker.js"]
