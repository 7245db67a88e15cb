# egress-watch in a container: `docker build -t egress-watch .`
# The image runs the CLI; the default command is the service on the documented config.

# ---- build: compile the TypeScript with the dev dependencies ----
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would compile before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build

# ---- runtime: production dependencies and the compiled code only ----
FROM node:20-slim
ENV NODE_ENV=production
# A young generation of 2 x 64 MB instead of V8's 2 x 16 MB: the service allocates a flow
# object per record, and with the default most of them outlive a scavenge and are copied
# (docs/benchmarks.md, Young generation: about 20% less engine CPU per flow, for up to about 100 MB more RSS).
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
COPY scripts/postinstall.mjs ./scripts/postinstall.mjs
# --ignore-scripts skips postinstall (and `prepare`, which would compile): apply the kafkajs
# patch (patches/) by running the same script; it fails the build if the patch does not apply.
RUN npm ci --omit=dev --ignore-scripts && node scripts/postinstall.mjs && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY config ./config
COPY kafka ./kafka
RUN chmod 0755 bin/egress-watch.js && ln -s /app/bin/egress-watch.js /usr/local/bin/egress-watch
# The node image's unprivileged user (uid 1000): the service needs no root.
USER node
# /metrics, /healthz, /readyz (service.http_port; set service.http_host 0.0.0.0 to publish it).
EXPOSE 9464
ENTRYPOINT ["egress-watch"]
CMD ["run", "--config", "/app/config/docker.yaml"]
