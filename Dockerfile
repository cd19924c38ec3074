# Conduit API image: production dependencies only, TypeScript run directly by Bun.
FROM oven/bun:1 AS dependencies
WORKDIR /app
COPY package.json bun.lock ./
COPY patches ./patches
RUN bun install --frozen-lockfile --production

FROM oven/bun:1-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY drizzle ./drizzle
COPY src ./src
USER bun
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:3000/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Serves by default. The same image migrates: `docker run ... <image> bun src/migrate.ts` (only
# DATABASE_URL needed). Run that once per deploy, before the new servers start (docker-compose.yml's
# `migrate` service does): servers never migrate, so N replicas do not race to.
CMD ["bun", "src/index.ts"]
