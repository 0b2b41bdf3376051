# syntax=docker/dockerfile:1
# The @sdr server image: `sdr serve` (API, workers or both by SDR_ROLE) with the console built in.
#   docker build -t sdr/server:0.1.0 .
#   docker run --rm -e DATABASE_URL=… -e SDR_ROLE=api -p 3000:3000 sdr/server:0.1.0
# Three stages: `build` compiles the workspace (the console included) with the locked
# dependencies, `deploy` keeps @sdr/server with its production dependencies only, and the final
# stage copies that tree onto a fresh base and runs it as an unprivileged user. Both bases are the
# same Node 20 LTS release, pinned by its exact tag (bump them together).

FROM node:20.20.2-bookworm-slim AS build
ENV PNPM_HOME=/pnpm \
    CI=true
ENV PATH=$PNPM_HOME:$PATH
RUN npm install --global pnpm@10.34.9 && npm cache clean --force
WORKDIR /src
# The manifests first: the dependency layer is rebuilt only when they or the lockfile change.
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmrc ./
COPY packages/adapter-evolution/package.json packages/adapter-evolution/
COPY packages/adapter-google-calendar/package.json packages/adapter-google-calendar/
COPY packages/adapter-kommo/package.json packages/adapter-kommo/
COPY packages/adapter-redis/package.json packages/adapter-redis/
COPY packages/agent/package.json packages/agent/
COPY packages/console/package.json packages/console/
COPY packages/core/package.json packages/core/
COPY packages/server/package.json packages/server/
COPY packages/store-postgres/package.json packages/store-postgres/
COPY packages/testkit/package.json packages/testkit/
RUN pnpm fetch --frozen-lockfile
COPY . .
RUN pnpm install --frozen-lockfile --offline \
 && pnpm --filter "@sdr/server..." build

FROM build AS deploy
# Production dependencies only; workspace packages are copied as they would be published (dist).
RUN pnpm --filter @sdr/server deploy --prod --legacy /out

FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SDR_DATA_DIR=/var/lib/sdr
WORKDIR /app
COPY --from=deploy --chown=root:root /out /app
RUN ln -s /app/dist/cli.js /usr/local/bin/sdr \
 && chmod 0755 /app/dist/cli.js \
 && mkdir -p /var/lib/sdr \
 && chown node:node /var/lib/sdr
# The base image's unprivileged `node` user (uid 1000); the application files stay root's, read-only to it.
USER node
VOLUME ["/var/lib/sdr"]
# The API (roles api and all) on PORT; a worker's probes and metrics on SDR_WORKER_PORT.
EXPOSE 3000 9464
# Liveness only (the process answers); /readyz is for the load balancer. A worker (SDR_ROLE=worker)
# answers it on its probe port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e = process.env; const port = e.SDR_ROLE === 'worker' ? e.SDR_WORKER_PORT || '9464' : e.PORT || '3000'; fetch('http://127.0.0.1:' + port + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["sdr"]
CMD ["serve"]
