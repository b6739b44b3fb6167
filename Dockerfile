# Fapiao server image. Three stages:
#   build    all dependencies (npm ci), compiles shared/ and server/src to dist/, builds the
#            merchant console (server/console → server/console/dist)
#   runtime  the image to run: production dependencies only, the compiled dist/, a non-root user
#   sandbox  the WeChat emulator, for demos (deploy/compose.yaml, profile "sandbox"); never production
# Only ever built from the repository root: docker build -t fapiao .
# The production-build test (server/test/production-build.test.ts) runs these steps as a script.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY server/console/package.json server/console/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY shared/tsconfig.json shared/tsconfig.build.json shared/
COPY shared/src shared/src
COPY server/tsconfig.json server/tsconfig.build.json server/
COPY server/src server/src
# The console's sources, and the ops CLI's order-file reader it bundles.
COPY server/console/index.html server/console/vite.config.mjs server/console/tsconfig.json server/console/
COPY server/console/src server/console/src
COPY scripts/build-console.js scripts/
COPY scripts/ops/orders-file.ts scripts/ops/import-outcome.ts scripts/ops/errors.ts scripts/ops/exit-codes.ts scripts/ops/time.ts scripts/ops/
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY server/console/package.json server/console/
# (No `npm cache clean` here: the production-build test runs this line against the machine's shared
# npm cache. The cache left in the image is a few MB.)
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/server/console/dist server/console/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm): it gets SIGTERM and shuts down gracefully (server/src/main.ts).
CMD ["node", "server/dist/main.js"]

FROM build AS sandbox
COPY server/sandbox server/sandbox
USER node
EXPOSE 3900
CMD ["node_modules/.bin/tsx", "server/sandbox/main.ts"]
