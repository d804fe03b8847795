# Image for running `palisade reconcile --watch` in a cluster (see `palisade install-manifests`).
# Build: docker build -t ghcr.io/palisade-dev/palisade:0.1.0 .
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client gnupg ca-certificates util-linux && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY lib ./lib
COPY reconciler ./reconciler
COPY policies ./policies
COPY clusters ./clusters
COPY scripts/build.mjs ./scripts/build.mjs
# palisade's own code is compiled ahead (esbuild is a production dependency); policies are
# compiled at run time into the cache, which lives on the writable work volume.
RUN node scripts/build.mjs --force
ENV PALISADE_CACHE_DIR=/app/.palisade/cache
RUN mkdir -p /app/.palisade && chown 65532:65532 /app/.palisade
USER 65532:65532
ENTRYPOINT ["node", "bin/palisade.js"]
