# slawatch: one static binary (pure Go, SQLite included, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/slawatch ./cmd/slawatch
# The folders compose mounts named volumes on, owned by the image's user:
# a new volume takes the ownership of the folder it is mounted on.
RUN mkdir -p /rootfs/var/lib/slawatch /rootfs/var/lib/slawatch-mailroom/drop \
      /rootfs/var/lib/slawatch-alertmanager /rootfs/var/lib/slawatch-grafana/provisioning

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build --chown=65532:65532 /rootfs/ /
COPY --from=build /out/slawatch /usr/local/bin/slawatch
COPY examples/london-ooh.yaml /etc/slawatch/catalog.yaml
USER nonroot
ENTRYPOINT ["/usr/local/bin/slawatch"]
CMD ["--help"]
