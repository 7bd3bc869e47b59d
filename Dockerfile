# syntax=docker/dockerfile:1
# One static binary for every role: `diembao run` (all in one, embedded NATS)
# or `diembao crawl|index|match|notify|serve --nats URL` (docker-compose.yml).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary for a distroless base; time/tzdata is linked in.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/diembao ./cmd/diembao \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/diembao /usr/local/bin/diembao
# Owned by the nonroot user (65532) so a fresh named volume inherits it.
COPY --from=build --chown=65532:65532 /out/data /var/lib/diembao
# Defaults for a plain `docker run -p 8080:8080 diembao`; docker-compose.yml mounts a config.
ENV DIEMBAO_DATA_DIR=/var/lib/diembao DIEMBAO_HTTP_LISTEN=0.0.0.0:8080
USER nonroot:nonroot
WORKDIR /var/lib/diembao
VOLUME ["/var/lib/diembao"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/diembao"]
CMD ["run"]
