# The relengotron image for docker-compose.yml: the worker, the API and the migrate job run from it.
FROM node:20-bookworm-slim
WORKDIR /opt/relengotron
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm install --no-save prisma@6.19.3
COPY . .
# generating the client needs no database; prisma only wants the variable to exist
RUN DATABASE_URL=postgresql://build@localhost/build npx prisma generate
USER node
ENTRYPOINT ["node", "--import", "tsx", "src/cli/main.ts"]
