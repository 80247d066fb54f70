// Offline base images against a real dockerd: ensure (cache, fast path,
// rebuild), BuildKit builds on the images, and the base-name mapping that
// lets verbatim Dockerfiles say `FROM golang:1.24-alpine` with no registry.
// The first run makes the Go image (debootstrap, a few minutes); later runs
// reuse the cached tarball or the image already in the daemon.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "docker/build_stream.h"
#include "docker/endpoint.h"
#include "docker/engine_client.h"
#include "fixture/base_images.h"
#include "support/test_support.h"
#include "util/hash.h"
#include "util/process.h"
#include "util/temp_dir.h"

namespace fs = std::filesystem;
using namespace buildbench;

namespace {

docker::EngineClient make_client() {
  test::require_daemon();
  auto endpoint = docker::Endpoint::from_environment();
  REQUIRE(endpoint.ok());
  return docker::EngineClient(*endpoint);
}

fixture::EnsureOptions quiet_options(const fs::path& cache_dir = fixture::default_cache_dir()) {
  fixture::EnsureOptions options;
  options.cache_dir = cache_dir;
  options.progress = [](std::string_view line) { WARN(std::string(line)); };
  return options;
}

// The team's images, made once per test process.
const std::vector<fixture::EnsuredImage>& team_images(docker::EngineClient& client) {
  static std::vector<fixture::EnsuredImage> images;
  if (images.empty()) {
    auto ensured = fixture::ensure_base_images(
        client, fixture::default_base_image_specs(fixture::default_module_proxy_url()), quiet_options());
    INFO((ensured ? std::string() : ensured.error().message));
    REQUIRE(ensured.ok());
    images = *ensured;
  }
  return images;
}

struct BuildOutcome {
  bool ok = false;
  std::string error;
  std::string image_id;
  std::vector<std::string> step_names;
};

// A BuildKit build (version=2, host network) of a Dockerfile alone, sent as a tar body.
BuildOutcome build_dockerfile(docker::EngineClient& client, const std::string& dockerfile, const std::string& tag) {
  util::TempDir context("bb-base-images-ctx-");
  test::write_file(context.path() / "Dockerfile", dockerfile);
  auto tar = util::run_process({"tar", "--create", "--file=-", "--directory=" + context.path().string(), "."});
  REQUIRE(tar.ok());
  REQUIRE(tar->exit_code == 0);
  const std::string body = tar->out;
  size_t sent = 0;
  docker::BuildQuery query;
  query.tags = {tag};
  query.network_mode = "host";
  query.buildkit = true;
  docker::BuildStreamCollector collector([] { return 0.0; });
  auto stats = client.build(
      query,
      [&](char* buffer, size_t capacity) -> util::Result<size_t> {
        size_t n = std::min(capacity, body.size() - sent);
        std::copy_n(body.data() + sent, n, buffer);
        sent += n;
        return n;
      },
      [&](std::string_view chunk) {
        (void)collector.feed(chunk);
        return true;
      });
  BuildOutcome outcome;
  if (!stats) {
    outcome.error = stats.error().message;
    return outcome;
  }
  (void)collector.finish();
  docker::BuildRecord record;
  collector.fill(record);
  outcome.ok = record.ok;
  outcome.error = record.error;
  for (const auto& line : record.failure_log_tail) outcome.error += "\n" + line;
  outcome.image_id = record.image_id;
  for (const auto& step : record.steps) outcome.step_names.push_back(step.name);
  return outcome;
}

std::vector<std::string> tags_of_repo(docker::EngineClient& client, const std::string& repo) {
  std::vector<std::string> tags;
  auto images = client.list_images({{"reference", {repo}}});
  REQUIRE(images.ok());
  for (const auto& image : *images) {
    if (!image.contains("RepoTags") || !image["RepoTags"].is_array()) continue;
    for (const auto& tag : image["RepoTags"]) tags.push_back(tag.get<std::string>());
  }
  return tags;
}

std::string label(const nlohmann::json& inspected, const std::string& key) {
  return inspected["Config"]["Labels"].value(key, std::string());
}

}  // namespace

TEST_CASE("base images are ensured once and found again in well under a second", "[integration][base_images]") {
  auto client = make_client();
  const auto& images = team_images(client);
  REQUIRE(images.size() == 2);
  CHECK(images[0].reference == "buildbench/go:1.24");
  CHECK(images[1].reference == "buildbench/runtime:busybox");

  auto started = std::chrono::steady_clock::now();
  auto again = fixture::ensure_base_images(
      client, fixture::default_base_image_specs(fixture::default_module_proxy_url()), quiet_options());
  auto elapsed = std::chrono::steady_clock::now() - started;
  REQUIRE(again.ok());
  CHECK(elapsed < std::chrono::seconds(1));
  for (size_t i = 0; i < images.size(); ++i) {
    CHECK((*again)[i].source == fixture::ImageSource::AlreadyPresent);
    CHECK((*again)[i].image_id == images[i].image_id);
  }

  auto go = client.inspect_image("buildbench/go:1.24");
  REQUIRE(go.ok());
  CHECK(label(*go, "org.buildbench.base") == "go-1.24");
  CHECK(label(*go, "org.buildbench.spec-hash") == images[0].spec_hash);
  CHECK(label(*go, "org.buildbench.debootstrap-suite") == "trixie");
  CHECK(label(*go, "org.buildbench.package-version").rfind("1.24", 0) == 0);
  auto env = (*go)["Config"]["Env"];
  CHECK(std::count(env.begin(), env.end(), "GOTOOLCHAIN=local") == 1);
  CHECK(std::count(env.begin(), env.end(), "GOPROXY=" + fixture::default_module_proxy_url()) == 1);
  CHECK((*go)["Config"]["WorkingDir"] == "/go");
}

TEST_CASE("a BuildKit build on the Go image runs Go 1.24", "[integration][base_images]") {
  auto client = make_client();
  team_images(client);
  const std::string tag = "buildbench-test/base-images:go-check";
  auto outcome = build_dockerfile(client,
                                  "FROM buildbench/go:1.24\n"
                                  "RUN go version | grep -q ' go1\\.24' && test \"$(go env GOTOOLCHAIN)\" = local\n"
                                  "RUN test -d /go/bin && test \"$(go env GOPATH)\" = /go && test \"$(pwd)\" = /go\n",
                                  tag);
  INFO(outcome.error);
  CHECK(outcome.ok);
  (void)client.remove_image(tag);
}

TEST_CASE("the runtime image runs the post's addgroup/adduser line", "[integration][base_images]") {
  auto client = make_client();
  team_images(client);
  const std::string tag = "buildbench-test/base-images:runtime-check";
  auto outcome = build_dockerfile(client,
                                  "FROM buildbench/runtime:busybox\n"
                                  "RUN addgroup -S app && adduser -S app -G app\n"
                                  "USER app\n"
                                  "RUN test \"$(id -un)\" = app && test \"$(id -gn)\" = app && ls / && cat /etc/passwd"
                                  " && test -d /home/app && touch /tmp/x\n",
                                  tag);
  INFO(outcome.error);
  CHECK(outcome.ok);
  (void)client.remove_image(tag);
}

TEST_CASE("mapped base names build with BuildKit and no registry", "[integration][base_images]") {
  auto client = make_client();
  team_images(client);
  // Names under buildbench-test/ resolve exactly as docker.io/library names
  // do (both are docker.io references) without moving the team's mapping.
  const std::map<std::string, std::string> mapping = {
      {"buildbench-test/golang:1.24-alpine", "buildbench/go:1.24"},
      {"buildbench-test/alpine:3.21", "buildbench/runtime:busybox"},
  };
  auto resolved = fixture::apply_base_image_mapping(client, mapping);
  INFO((resolved ? std::string() : resolved.error().message));
  REQUIRE(resolved.ok());
  REQUIRE(resolved->size() == 2);
  for (const auto& entry : *resolved) {
    auto local = client.inspect_image(entry.local_image);
    REQUIRE(local.ok());
    CHECK(entry.image_id == (*local)["Id"]);
    auto tagged = client.inspect_image(entry.name);
    REQUIRE(tagged.ok());
    CHECK((*tagged)["Id"] == entry.image_id);
  }
  // Applying the same mapping again changes nothing and still succeeds.
  CHECK(fixture::apply_base_image_mapping(client, mapping).ok());

  // The shape of the post's production Dockerfile.
  const std::string tag = "buildbench-test/base-images:mapped";
  auto outcome = build_dockerfile(client,
                                  "FROM buildbench-test/golang:1.24-alpine AS build\n"
                                  "WORKDIR /src\n"
                                  "RUN printf 'module example.com/app\\ngo 1.24\\n' > go.mod && "
                                  "printf 'package main\\nimport \"fmt\"\\nfunc main() { fmt.Println(\"hello\") }\\n'"
                                  " > main.go && CGO_ENABLED=0 go build -o /out/app .\n"
                                  "FROM buildbench-test/alpine:3.21\n"
                                  "RUN addgroup -S app && adduser -S app -G app\n"
                                  "COPY --from=build /out/app /usr/local/bin/app\n"
                                  "USER app\n"
                                  "RUN test \"$(/usr/local/bin/app)\" = hello\n",
                                  tag);
  INFO(outcome.error);
  CHECK(outcome.ok);
  for (const auto& name : outcome.step_names) {
    INFO(name);
    CHECK(name.find("resolve image config") == std::string::npos);  // no registry lookup
  }
  (void)client.remove_image(tag);
  for (const auto& [name, local] : mapping) (void)client.remove_image(name);
}

TEST_CASE("a mapping never moves a name that points at someone else's image", "[integration][base_images]") {
  auto client = make_client();
  team_images(client);
  // A one-file image without buildbench's labels stands for a user's own image.
  util::TempDir tree("bb-foreign-");
  test::write_file(tree.path() / "hello.txt", "not ours\n");
  auto tar = util::run_process({"tar", "--create", "--file=-", "--directory=" + tree.path().string(), "."});
  REQUIRE(tar.ok());
  const std::string body = tar->out;
  size_t sent = 0;
  auto foreign = client.import_image(
      [&](char* buffer, size_t capacity) -> util::Result<size_t> {
        size_t n = std::min(capacity, body.size() - sent);
        std::copy_n(body.data() + sent, n, buffer);
        sent += n;
        return n;
      },
      "buildbench-test/foreign", "1", {});
  REQUIRE(foreign.ok());

  auto refused = fixture::apply_base_image_mapping(client, {{"buildbench-test/foreign:1", "buildbench/go:1.24"}});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("did not make") != std::string::npos);
  auto still = client.inspect_image("buildbench-test/foreign:1");
  REQUIRE(still.ok());
  CHECK((*still)["Id"] == *foreign);

  auto missing = fixture::apply_base_image_mapping(client, {{"buildbench-test/x:1", "buildbench-test/absent:none"}});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("buildbench images") != std::string::npos);
  (void)client.remove_image("buildbench-test/foreign:1");
}

TEST_CASE("the busybox image: built, imported from the cache, found, rebuilt", "[integration][base_images]") {
  auto client = make_client();
  util::TempDir cache("bb-image-cache-");
  fixture::BaseImageSpec spec = fixture::busybox_runtime_image_spec();
  spec.repo = "buildbench-test/runtime";
  spec.tag = "cache-check";
  (void)client.remove_image(spec.reference());

  auto built = fixture::ensure_base_image(client, spec, quiet_options(cache.path()));
  INFO((built ? std::string() : built.error().message));
  REQUIRE(built.ok());
  CHECK(built->source == fixture::ImageSource::Built);
  CHECK(fs::exists(built->tarball));

  // A new daemon would have only the tarball: drop the image, ensure again.
  REQUIRE(client.remove_image(spec.reference()).ok());
  auto imported = fixture::ensure_base_image(client, spec, quiet_options(cache.path()));
  REQUIRE(imported.ok());
  CHECK(imported->source == fixture::ImageSource::ImportedFromCache);
  CHECK(imported->elapsed < std::chrono::seconds(10));

  auto found = fixture::ensure_base_image(client, spec, quiet_options(cache.path()));
  REQUIRE(found.ok());
  CHECK(found->source == fixture::ImageSource::AlreadyPresent);
  CHECK(found->image_id == imported->image_id);

  auto options = quiet_options(cache.path());
  options.rebuild = true;
  auto rebuilt = fixture::ensure_base_image(client, spec, options);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->source == fixture::ImageSource::Built);

  // No temporary import tag is left behind, only the final name.
  auto tags = tags_of_repo(client, spec.repo);
  CHECK(tags == std::vector<std::string>{spec.reference()});
  (void)client.remove_image(spec.reference());
}

TEST_CASE("a tarball the daemon refuses leaves no tag and says what to do", "[integration][base_images]") {
  auto client = make_client();
  util::TempDir cache("bb-image-cache-");
  fixture::BaseImageSpec spec = fixture::busybox_runtime_image_spec();
  spec.repo = "buildbench-test/broken";
  spec.tag = "refused";
  // A complete-looking cache entry whose tarball is garbage.
  auto fingerprint = util::sha256_file_hex(spec.busybox_binary);
  REQUIRE(fingerprint.ok());
  const std::string key = fixture::rootfs_key(spec, *fingerprint);
  const std::string garbage(4096, 'x');
  test::write_file(cache.path() / (spec.name + "-" + key + ".tar"), garbage);
  fixture::RootfsManifest manifest;
  manifest.name = spec.name;
  manifest.rootfs_key = key;
  manifest.made_by = "test";
  manifest.package = "busybox-static";
  manifest.package_version = "0";
  manifest.created = "2026-01-01T00:00:00Z";
  manifest.tarball_bytes = garbage.size();
  test::write_file(cache.path() / (spec.name + "-" + key + ".json"), fixture::manifest_to_json(manifest));

  auto refused = fixture::ensure_base_image(client, spec, quiet_options(cache.path()));
  REQUIRE_FALSE(refused.ok());
  INFO(refused.error().message);
  CHECK(refused.error().message.find("--rebuild") != std::string::npos);
  CHECK(tags_of_repo(client, spec.repo).empty());

  // --rebuild starts over and succeeds.
  auto options = quiet_options(cache.path());
  options.rebuild = true;
  auto rebuilt = fixture::ensure_base_image(client, spec, options);
  INFO((rebuilt ? std::string() : rebuilt.error().message));
  REQUIRE(rebuilt.ok());
  CHECK(tags_of_repo(client, spec.repo) == std::vector<std::string>{spec.reference()});
  (void)client.remove_image(spec.reference());
}

TEST_CASE("a daemon without the Go image gets it from the cached tarball in seconds", "[integration][base_images]") {
  auto client = make_client();
  const auto& images = team_images(client);
  fixture::BaseImageSpec spec = fixture::go_build_image_spec(fixture::default_module_proxy_url());
  spec.repo = "buildbench-test/go";
  spec.tag = "cache-check";
  (void)client.remove_image(spec.reference());
  auto imported = fixture::ensure_base_image(client, spec, quiet_options());
  INFO((imported ? std::string() : imported.error().message));
  REQUIRE(imported.ok());
  if (fs::exists(images[0].tarball)) {
    // The tarball the team image was made from is there: no debootstrap now.
    CHECK(imported->source == fixture::ImageSource::ImportedFromCache);
    CHECK(imported->elapsed < std::chrono::seconds(60));
    WARN("Go image imported from the cached tarball in " << imported->elapsed.count() << " ms");
  }
  // Same tarball: the same layer, shared with the team image.
  auto ours = client.inspect_image(imported->image_id);
  auto team = client.inspect_image(images[0].image_id);
  REQUIRE(ours.ok());
  REQUIRE(team.ok());
  CHECK((*ours)["RootFS"]["Layers"] == (*team)["RootFS"]["Layers"]);
  CHECK(tags_of_repo(client, spec.repo) == std::vector<std::string>{spec.reference()});
  (void)client.remove_image(spec.reference());
}

TEST_CASE("a failing debootstrap ends with its log tail and what to do", "[integration][base_images]") {
  auto client = make_client();
  if (!util::find_program("debootstrap") || ::geteuid() != 0) {
    WARN("needs root and debootstrap; not run");
    return;
  }
  util::TempDir cache("bb-image-cache-");
  fixture::BaseImageSpec spec = fixture::go_build_image_spec(fixture::default_module_proxy_url());
  spec.name = "go-broken";
  spec.repo = "buildbench-test/go";
  spec.tag = "no-such-suite";
  spec.suite = "buildbench-no-such-suite";  // debootstrap fails at once, before any download
  auto failed = fixture::ensure_base_image(client, spec, quiet_options(cache.path()));
  REQUIRE_FALSE(failed.ok());
  const std::string& message = failed.error().message;
  INFO(message);
  CHECK(message.find("debootstrap failed") != std::string::npos);
  CHECK(message.find("buildbench-no-such-suite") != std::string::npos);  // from its log
  CHECK(message.find("--rebuild") != std::string::npos);
  CHECK(tags_of_repo(client, spec.repo).empty());
  // Nothing half-made stays in the cache: no tarball, no work directory.
  for (const auto& entry : fs::directory_iterator(cache.path())) {
    INFO(entry.path().string());
    CHECK(entry.path().extension() != ".tar");
    CHECK(entry.path().filename().string().rfind("work-", 0) != 0);
  }
}
