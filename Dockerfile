# syntax=docker/dockerfile:1
# salesrecipe's image: the build stage runs `make build`, the same target that builds
# bin/salesrecipe on a developer's machine and in CI; the runtime stage runs it as a non-root
# user. The image talks to a ClickHouse server (--clickhouse / SALESRECIPE_CLICKHOUSE); the
# embedded engine's libchdb.so is not included.
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN make build VERSION=${VERSION} && ./bin/salesrecipe help >/dev/null

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/salesrecipe --create-home salesrecipe
COPY --from=build /src/bin/salesrecipe /usr/local/bin/salesrecipe
USER 10001:10001
WORKDIR /var/lib/salesrecipe
ENV SALESRECIPE_ADDR=0.0.0.0:8080 \
    SALESRECIPE_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz >/dev/null || exit 1
ENTRYPOINT ["salesrecipe"]
CMD ["serve"]
