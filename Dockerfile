# shadowscan container image: a static binary on distroless (CA certificates, tzdata, no shell), running as the
# non-root user 65532, with the demo inside:
#   docker build -t shadowscan --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run --rm shadowscan scan --config /demo/demo.yaml
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildDate=${BUILD_DATE}" \
      -o /out/shadowscan ./cmd/shadowscan
# The demo keeps its layout (demo.yaml beside demo/), so its relative paths hold; the state folder belongs to the
# runtime user.
RUN mkdir -p /out/demo /out/state && cp configs/demo.yaml /out/demo/demo.yaml && cp -r configs/demo /out/demo/demo

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/shadowscan /usr/local/bin/shadowscan
COPY --from=build /out/demo /demo
COPY --from=build --chown=65532:65532 /out/state /var/lib/shadowscan
USER 65532:65532
WORKDIR /var/lib/shadowscan
ENTRYPOINT ["/usr/local/bin/shadowscan"]
CMD ["scan", "--config", "/demo/demo.yaml"]
