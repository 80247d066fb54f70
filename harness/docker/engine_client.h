#pragma once
// The Docker Engine API over libcurl: one client per endpoint, one CURL easy
// handle per call in flight (calls may run concurrently from several
// threads, e.g. the build request and a cancel). Finished handles are kept
// with their connection open, so a command's calls share one connection.
// The API version is negotiated through /_ping (min(our maximum, the
// daemon's)) unless DOCKER_API_VERSION pins it, and remembered per daemon
// across processes (daemon_memo.h), as are built images' sizes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/build_cache.h"
#include "docker/endpoint.h"
#include "util/result.h"

namespace buildbench::docker {

// The newest API version this client speaks. Daemons older than that are
// talked to at their own version, newer ones at this one.
inline constexpr std::string_view kClientMaxApiVersion = "1.47";
// The oldest we accept: BuildKit builds (version=2) need 1.39.
inline constexpr std::string_view kClientMinApiVersion = "1.39";

struct PingInfo {
  std::string api_version;      // the daemon's API-Version header
  std::string builder_version;  // Builder-Version: "2" when BuildKit is the default
  std::string os_type;
};

// Producer of a request body, pulled by libcurl: writes up to `capacity`
// bytes into `buffer` and returns how many, 0 at the end, or an error that
// aborts the request.
using BodySource = std::function<util::Result<size_t>(char* buffer, size_t capacity)>;
// Consumer of a streamed response body: return false to abort the request.
using ChunkSink = std::function<bool(std::string_view chunk)>;

struct BuildQuery {
  std::vector<std::string> tags;
  std::string dockerfile;  // path of the Dockerfile inside the context ("" = Dockerfile)
  std::map<std::string, std::string> build_args;
  std::map<std::string, std::string> labels;
  std::string target;
  std::string network_mode;  // host, none, default
  bool no_cache = false;
  bool pull = false;
  bool buildkit = true;      // version=2, else the classic builder (version=1)
  bool remove_intermediate = true;
  std::string build_id;      // lets the build be cancelled (BuildKit)
  std::string session_id;    // BuildKit session: no tar body, remote=client-session
};

// What the transport saw of a streamed call, besides the body.
struct StreamStats {
  long status = 0;
  uint64_t bytes_uploaded = 0;
  double upload_done_s = -1;     // seconds from request start until the body was fully sent
  double first_byte_s = -1;      // seconds from request start until the first response byte
};

class EngineClient {
 public:
  explicit EngineClient(Endpoint endpoint);
  ~EngineClient();
  EngineClient(const EngineClient&) = delete;
  EngineClient& operator=(const EngineClient&) = delete;

  const Endpoint& endpoint() const { return endpoint_; }

  // Safe to call from another thread while this one goes on: a versioned
  // call made meanwhile waits for the ping's answer rather than pinging too.
  util::Result<PingInfo> ping();
  // The version in use for versioned paths: DOCKER_API_VERSION, else the one
  // an earlier process negotiated with the daemon now on this Unix socket
  // (DaemonMemo), else negotiated through /_ping on first use.
  // knows_api_version(): whether that needs no /_ping.
  util::Result<std::string> api_version();
  bool knows_api_version();

  util::Result<nlohmann::json> version();
  util::Result<nlohmann::json> info();
  util::Result<nlohmann::json> system_df();
  // GET /system/df, only the build cache where the API version allows
  // (build_cache.h says which).
  util::Result<BuildCacheUsage> build_cache_usage();

  // POST /build. `body` is the context tar (null for a session build);
  // `sink` receives the JSON-lines response as it arrives. Fails only when the
  // request itself fails (connection, HTTP status); a build error arrives
  // inside the 200 stream and is the stream decoder's to find.
  util::Result<StreamStats> build(const BuildQuery& query, BodySource body, ChunkSink sink);
  util::Status cancel_build(const std::string& build_id);

  // POST /build/prune; returns bytes reclaimed. `filters` is the JSON map
  // the API takes, e.g. {"type":["exec.cachemount"]}.
  util::Result<uint64_t> prune_build_cache(bool all, const nlohmann::json& filters = nlohmann::json::object());
  // The same with the space to keep, sent as the API version in use names it.
  util::Result<uint64_t> prune_build_cache(const BuildCachePrune& prune);

  // GET /images/{name}/json; an error whose message starts with "not found"
  // when the daemon has no such image.
  util::Result<nlohmann::json> inspect_image(const std::string& name);
  // An image's size and layer count. For a content-addressed ID
  // ("sha256:<64 hex>") on a Unix socket these are remembered per daemon
  // (DaemonMemo): a warm rebuild gives the same ID and needs no inspect.
  struct ImageSummary {
    int64_t size = -1;
    int layers = -1;
  };
  util::Result<ImageSummary> image_summary(const std::string& image_id);
  util::Result<nlohmann::json> list_images(const nlohmann::json& filters = nlohmann::json::object());
  util::Status remove_image(const std::string& name, bool force = false);
  util::Status tag_image(const std::string& source, const std::string& repo, const std::string& tag);
  // POST /images/create?fromSrc=- : a rootfs tarball becomes an image.
  // `changes` are Dockerfile instructions (ENV, LABEL, CMD, WORKDIR...).
  // Returns the new image's ID.
  util::Result<std::string> import_image(BodySource tarball, const std::string& repo, const std::string& tag,
                                         const std::vector<std::string>& changes);

  // A plain call for what the methods above do not cover: `path` is
  // unversioned ("/containers/json"), the version prefix is added.
  struct Response {
    long status = 0;
    std::string body;
  };
  util::Result<Response> request(const std::string& method, const std::string& path,
                                 std::string_view body = {}, std::string_view content_type = {});

  // Every transfer in flight or started later aborts ("interrupted") once
  // *flag becomes true: how Ctrl-C reaches a build stream.
  void set_interrupt_flag(const std::atomic<bool>* flag) { interrupt_ = flag; }

 private:
  struct Call;
  struct Outcome {
    StreamStats stats;
    std::string body;                            // collected when not streamed
    std::map<std::string, std::string> headers;  // lower-case names
  };
  util::Result<Outcome> perform(const Call& call);
  util::Result<PingInfo> ping_daemon();  // holding negotiation_mutex_
  std::optional<std::string> known_api_version();
  util::Result<Outcome> call_versioned(Call call);
  util::Result<std::string> versioned(const std::string& path);
  util::Result<nlohmann::json> get_json(const std::string& path);

  struct HandlePool;

  Endpoint endpoint_;
  std::unique_ptr<HandlePool> handles_;
  const std::atomic<bool>* interrupt_ = nullptr;
  std::mutex negotiation_mutex_;  // held while a /_ping is out
  std::mutex version_mutex_;
  std::optional<std::string> api_version_;
  bool memo_consulted_ = false;
};

// "1.41" < "1.47": compares dotted API versions numerically.
int compare_api_versions(std::string_view a, std::string_view b);
// Percent-encodes a query value.
std::string url_encode(std::string_view value);

}  // namespace buildbench::docker
