# The relengotron image for docker-compose.yml: the worker, the API and the migrate job run from it.
FROM node:20-bookworm-slim
WORKDIR /opt/relengotron
# MIT Kerberos for KOJI_AUTH=gssapi: the optional kerberos addon builds from source against
# libkrb5-dev (which also brings the runtime libraries) with the image's Node headers.
RUN apt-get update && apt-get install -y --no-install-recommends libkrb5-dev g++ make python3 \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm_config_nodedir=/usr/local npm_config_build_from_source=true npm ci --omit=dev --no-audit --no-fund \
    && test -f node_modules/kerberos/build/Release/kerberos.node \
    && npm install --no-save prisma@6.19.3
COPY . .
# generating the client needs no database; prisma only wants the variable to exist
RUN DATABASE_URL=postgresql://build@localhost/build npx prisma generate
USER node
ENTRYPOINT ["node", "--import", "tsx", "src/cli/main.ts"]
