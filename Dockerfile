# temporal-sync worker image. Build: docker build -t temporal-sync .
# Debian slim, not Alpine: the Temporal SDK's native core ships for glibc only.

# --- build: compile TypeScript and bundle the workflow code once ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build's last step (migrations copied, workflow bundle written) is a build tool, not part of dist/.
COPY scripts/finish-build.ts ./scripts/
RUN npm run build

# --- runtime: production dependencies and the built worker, nothing else ---
FROM node:20-bookworm-slim AS runtime
# The heap cap npm start gives the worker too: without it V8 grows the heap lazily towards a limit
# set by the host's memory, and the worker's RSS rises with the size of a pass though nothing is kept.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=128 \
    TEMPORAL_SYNC_LOG_FORMAT=json \
    TEMPORAL_SYNC_METRICS_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The image's own "node" user, by number, so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9464
STOPSIGNAL SIGTERM
# Node itself does the request: the image has no curl or wget.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TEMPORAL_SYNC_METRICS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/worker.js"]
