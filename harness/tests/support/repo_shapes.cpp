#include "support/repo_shapes.h"

#include "support/test_support.h"

namespace buildbench::test {

void write_repo(RepoShape shape, const std::filesystem::path& dir, const std::string& token) {
  std::filesystem::create_directories(dir);
  switch (shape) {
    case RepoShape::GoMultiStage:
      // go.sum is absent (no dependencies), so the Dockerfile copies go.sum*.
      write_file(dir / "go.mod", "module example.com/greeter\n\ngo 1.23\n");
      write_file(dir / "cmd/greeter/main.go",
                 "package main\n\nimport \"example.com/greeter/internal/greet\"\n\nvar version = \"dev\"\n\n"
                 "func main() { println(greet.Hello(\"" + token + "\"), version) }\n");
      write_file(dir / "internal/greet/greet.go",
                 "// Package greet makes greetings.\npackage greet\n\n// Hello greets name.\n"
                 "func Hello(name string) string { return \"hello, \" + name }\n");
      write_file(dir / "internal/greet/greet_test.go", "package greet\n\nimport \"testing\"\n\nfunc TestHello(t *testing.T) {}\n");
      write_file(dir / "config/app.yaml", "listen: \":8080\"\n");
      write_file(dir / "README.md", "# greeter\n");
      write_file(dir / "docs/design.md", "How it works.\n");
      write_file(dir / ".dockerignore", "# not needed in the image\n*.md\ndocs/\n.git\n");
      write_file(dir / "Dockerfile",
                 "# syntax=docker/dockerfile:1\n"
                 "FROM golang:1.24-alpine AS build\n"
                 "WORKDIR /src\n"
                 "COPY go.mod go.sum* ./\n"
                 "RUN go mod download\n"
                 "COPY . .\n"
                 "ARG VERSION=dev\n"
                 "RUN --mount=type=cache,target=/root/.cache/go-build \\\n"
                 "    CGO_ENABLED=0 go build -ldflags \"-X main.version=${VERSION}\" -o /out/greeter ./cmd/greeter\n"
                 "\n"
                 "FROM alpine:3.21\n"
                 "COPY --from=build /out/greeter /usr/local/bin/greeter\n"
                 "COPY config/app.yaml /etc/greeter/app.yaml\n"
                 "ENTRYPOINT [\"/usr/local/bin/greeter\"]\n");
      break;
    case RepoShape::GoSingleStage:
      write_file(dir / "go.mod", "module example.com/tool\n\ngo 1.24\n");
      write_file(dir / "main.go", "package main\n\nfunc main() { println(\"tool " + token + "\") }\n");
      write_file(dir / "flags.go", "package main\n\nconst usage = \"tool [flags]\"\n");
      write_file(dir / "CHANGELOG.md", "v1\n");
      write_file(dir / "Dockerfile",
                 "FROM golang:1.22-bookworm\n"
                 "ARG GOPROXY=https://proxy.golang.org,direct\n"
                 "WORKDIR /app\n"
                 "COPY go.mod ./\n"
                 "COPY *.go ./\n"
                 "ARG CACHEBUST=1\n"
                 "RUN go build -o /usr/local/bin/tool .\n"
                 "CMD [\"tool\"]\n");
      break;
    case RepoShape::PythonBusybox:
      write_file(dir / "src/app/__init__.py", "");
      write_file(dir / "src/app/main.py", "def main():\n    print('hello " + token + "')\n");
      write_file(dir / "src/app/util.py", "def double(x):\n    return 2 * x\n");
      write_file(dir / "tests/test_util.py", "def test_double():\n    pass\n");
      write_file(dir / "requirements.txt", "\n");
      write_file(dir / ".dockerignore", "tests\n__pycache__\n");
      write_file(dir / "Dockerfile",
                 "FROM busybox:1.36\n"
                 "WORKDIR /app\n"
                 "COPY src/ ./src/\n"
                 "RUN find src -name '*.py' | sort | xargs cat > bundle.txt\n"
                 "CMD [\"sh\"]\n");
      break;
  }
}

std::string shape_name(RepoShape shape) {
  switch (shape) {
    case RepoShape::GoMultiStage: return "go-multistage";
    case RepoShape::GoSingleStage: return "go-single";
    case RepoShape::PythonBusybox: return "python-busybox";
  }
  return "unknown";
}

std::vector<RepoShape> all_repo_shapes() {
  return {RepoShape::GoMultiStage, RepoShape::GoSingleStage, RepoShape::PythonBusybox};
}

}  // namespace buildbench::test
