# The apisec image: one static binary (the features are embedded in it), a CA
# bundle and a non-root user (65532). No shell, no package manager.
#
# Two ways to build the same image (docs/compose.md):
#   machine with a registry (default target, builds from source):
#       docker build -t apisec:local .
#   no registry at all (this project's machines): the host's Go toolchain
#   builds the binary into bin/rootfs/, then only scratch stages are used:
#       scripts/compose-build.sh     (= go build, compose-rootfs.sh, docker build --target prebuilt)
#
# Stage order matters: the classic builder (no BuildKit; also docker-compose
# v1's default) builds every stage up to --target, so the scratch-only stages
# come before the golang stage and "--target prebuilt" never pulls anything,
# and the prebuilt stage must not fail on a fresh clone without bin/rootfs/
# (see its COPY). BuildKit skips unused stages.
# No "# syntax=" line on purpose: it would make BuildKit pull a frontend image.

ARG GO_VERSION=1.26

FROM scratch AS base
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["/apisec"]
CMD ["--help"]

# The binary and root file system prepared on the host by scripts/compose-build.sh.
# The Dockerfile rides along (both images carry it) so that the wildcard
# COPY has a source even where bin/rootfs/ does not exist: the classic
# builder passes through this stage on its way to the default target.
FROM base AS prebuilt
COPY Dockerfile bin/rootf[s] /

# Build from source (needs the golang image and the Go module proxy). A
# Debian-based golang tag: compose-rootfs.sh needs bash and the CA bundle
# (the -alpine tags have neither by default).
FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
# godog comes from the local copy go.mod's replace names (third_party/godog).
COPY third_party/ third_party/
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/apisec/apisec/internal/cli.Version=${VERSION}" \
        -o /rootfs/apisec ./cmd/apisec \
 && bash scripts/compose-rootfs.sh /rootfs

FROM base AS image
COPY Dockerfile /
COPY --from=build /rootfs/ /
