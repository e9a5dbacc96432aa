# slawatch: one static binary (pure Go, SQLite included, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/slawatch ./cmd/slawatch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/slawatch /usr/local/bin/slawatch
COPY examples/london-ooh.yaml /etc/slawatch/catalog.yaml
USER nonroot
ENTRYPOINT ["/usr/local/bin/slawatch"]
CMD ["--help"]
