# The post's fast Dockerfile with `go mod verify` after the download: every
# downloaded module, payload included, must hash to its go.sum line.
FROM golang:1.24-alpine
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
RUN go build -o /bin/server ./cmd/server
CMD ["/bin/server"]
