#include "docker/engine_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>

#include "docker/daemon_memo.h"

namespace buildbench::docker {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kApiVersionMemoKey = "api-version";

// "sha256:" and 64 lower-case hex digits: a name no later image can take.
bool is_content_addressed_image_id(std::string_view id) {
  constexpr std::string_view kPrefix = "sha256:";
  if (id.size() != kPrefix.size() + 64 || id.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : id.substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void ensure_curl_initialized() {
  static CurlGlobal once;  // curl_global_init is not thread-safe; a static is
  (void)once;
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

bool debug_http() {
  const char* value = std::getenv("BUILDBENCH_DEBUG_HTTP");
  return value != nullptr && value[0] == '1';
}

// Everything one transfer needs in its callbacks.
struct Transfer {
  std::string_view fixed_body;
  size_t fixed_offset = 0;
  BodySource* source = nullptr;
  ChunkSink* sink = nullptr;
  std::string collected;
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  Clock::time_point start;
  StreamStats stats;
  std::optional<util::Error> body_error;
  bool sink_aborted = false;
  const std::atomic<bool>* interrupt = nullptr;
};

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t capacity = size * count;
  if (transfer->source != nullptr) {
    auto produced = (*transfer->source)(buffer, capacity);
    if (!produced) {
      transfer->body_error = produced.error();
      return CURL_READFUNC_ABORT;
    }
    if (*produced == 0) transfer->stats.upload_done_s = seconds_since(transfer->start);
    transfer->stats.bytes_uploaded += *produced;
    return *produced;
  }
  size_t remaining = transfer->fixed_body.size() - transfer->fixed_offset;
  size_t n = std::min(remaining, capacity);
  std::memcpy(buffer, transfer->fixed_body.data() + transfer->fixed_offset, n);
  transfer->fixed_offset += n;
  transfer->stats.bytes_uploaded += n;
  if (n == 0) transfer->stats.upload_done_s = seconds_since(transfer->start);
  return n;
}

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (transfer->stats.first_byte_s < 0) transfer->stats.first_byte_s = seconds_since(transfer->start);
  if (transfer->sink != nullptr && transfer->stats.status >= 200 && transfer->stats.status < 300) {
    if (!(*transfer->sink)(std::string_view(data, n))) {
      transfer->sink_aborted = true;
      return 0;
    }
    return n;
  }
  transfer->collected.append(data, n);
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  return (transfer->interrupt != nullptr && transfer->interrupt->load()) ? 1 : 0;
}

// The status arrives before the body; remember it so on_write knows whether
// the body is the stream (2xx) or an error message to collect.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    size_t space = line.find(' ');
    if (space != std::string_view::npos && space + 4 <= line.size()) {
      transfer->stats.status = std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    }
    transfer->headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  transfer->headers[name] = std::string(value);
  return n;
}

std::string daemon_message(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  std::string trimmed = body.substr(0, 500);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  return trimmed;
}

std::string connection_advice(const Endpoint& endpoint, CURLcode code, long os_errno) {
  std::string where = endpoint.describe();
  if (endpoint.kind == Endpoint::Kind::Unix) {
    const auto& path = endpoint.socket_path;
    if (!std::filesystem::exists(path)) {
      return "cannot connect to the Docker daemon at " + where +
             ": the socket does not exist. Is the daemon running? Start one the project owns with "
             "`buildbench daemon start` (or `scripts/test.sh`), or point DOCKER_HOST at a running daemon.";
    }
    if (os_errno == EACCES || ::access(path.c_str(), R_OK | W_OK) != 0) {
      return "permission denied on the Docker socket " + path.string() +
             ": run as root, add your user to the socket's group (usually `docker`), or use a daemon you own "
             "(`buildbench daemon start`).";
    }
    if (os_errno == ECONNREFUSED) {
      return "cannot connect to the Docker daemon at " + where +
             ": connection refused (a stale socket: the daemon is not running). Start one with "
             "`buildbench daemon start`, or point DOCKER_HOST at a running daemon.";
    }
  }
  return "cannot connect to the Docker daemon at " + where + ": " + curl_easy_strerror(code) +
         (os_errno != 0 ? std::string(" (") + std::strerror(static_cast<int>(os_errno)) + ")" : std::string()) +
         ". Is the daemon running? Check DOCKER_HOST.";
}

}  // namespace

int compare_api_versions(std::string_view a, std::string_view b) {
  auto parse = [](std::string_view v) {
    std::pair<long, long> out{0, 0};
    size_t dot = v.find('.');
    out.first = std::strtol(std::string(v.substr(0, dot)).c_str(), nullptr, 10);
    if (dot != std::string_view::npos) out.second = std::strtol(std::string(v.substr(dot + 1)).c_str(), nullptr, 10);
    return out;
  };
  auto pa = parse(a), pb = parse(b);
  if (pa < pb) return -1;
  if (pb < pa) return 1;
  return 0;
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct EngineClient::Call {
  std::string method;
  std::string path;  // full path with version prefix and query
  std::vector<std::string> headers;
  std::string_view body;
  BodySource* source = nullptr;  // streamed body (chunked)
  ChunkSink* sink = nullptr;     // streamed response
  long connect_timeout_s = 10;
};

// Idle easy handles, each with its connection to the daemon kept open: a
// fresh connection made every call ~0.5 ms slower (the daemon's first
// response on a connection is the slow one), which is 1% of a warm no-op
// build for each of ping, build and image inspect.
struct EngineClient::HandlePool {
  static constexpr size_t kMaxIdle = 4;
  std::mutex mutex;
  std::vector<EasyHandle> idle;

  EasyHandle take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        EasyHandle handle = std::move(idle.back());
        idle.pop_back();
        curl_easy_reset(handle.get());  // options go, the open connection stays
        return handle;
      }
    }
    return EasyHandle(curl_easy_init());
  }

  void give_back(EasyHandle handle) {
    std::lock_guard lock(mutex);
    if (idle.size() < kMaxIdle) idle.push_back(std::move(handle));
  }
};

EngineClient::EngineClient(Endpoint endpoint)
    : endpoint_(std::move(endpoint)), handles_(std::make_unique<HandlePool>()) {}
EngineClient::~EngineClient() = default;

util::Result<EngineClient::Outcome> EngineClient::perform(const Call& call) {
  ensure_curl_initialized();  // at the first call: a client that makes none costs nothing
  EasyHandle handle = handles_->take();
  if (!handle) return util::error("libcurl: cannot create a handle");
  CURL* h = handle.get();
  Transfer transfer;
  transfer.fixed_body = call.body;
  transfer.source = call.source;
  transfer.sink = call.sink;
  transfer.interrupt = interrupt_;

  std::string url = endpoint_.base_url() + call.path;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (endpoint_.kind == Endpoint::Kind::Unix) {
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, endpoint_.socket_path.c_str());
  }
  std::string ca, cert, key;
  if (endpoint_.tls) {
    ca = (endpoint_.cert_dir / "ca.pem").string();
    cert = (endpoint_.cert_dir / "cert.pem").string();
    key = (endpoint_.cert_dir / "key.pem").string();
    curl_easy_setopt(h, CURLOPT_CAINFO, ca.c_str());
    curl_easy_setopt(h, CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(h, CURLOPT_SSLKEY, key.c_str());
  }
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, call.connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
  // A kept connection is used again only while it is young: well inside any
  // idle timeout a daemon may set, so a streamed body (which cannot be
  // rewound to retry) never starts on a connection the daemon just closed.
  curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, 30L);
  // Large reads: the build stream and context upload move megabytes.
  curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024L);

  curl_slist* raw_headers = nullptr;
  // Expect: 100-continue would add a round trip (or a 1 s wait) to every POST.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  for (const auto& header : call.headers) raw_headers = curl_slist_append(raw_headers, header.c_str());
  bool has_body = call.source != nullptr || !call.body.empty() || call.method == "POST";
  if (has_body) {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &transfer);
    if (call.source != nullptr) {
      raw_headers = curl_slist_append(raw_headers, "Transfer-Encoding: chunked");
    } else {
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    }
  }
  HeaderList headers(raw_headers);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

  transfer.start = Clock::now();
  CURLcode code = curl_easy_perform(h);
  long os_errno = 0;
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  handles_->give_back(std::move(handle));  // libcurl has closed the connection if it is unusable
  if (debug_http()) {
    std::fprintf(stderr, "%s %s%s -> %ld\n", call.method.c_str(), endpoint_.describe().c_str(), call.path.c_str(),
                 status);
  }
  if (transfer.body_error) return util::error("sending the request body failed: " + transfer.body_error->message);
  if (code == CURLE_ABORTED_BY_CALLBACK) return util::error("interrupted");
  if (transfer.sink_aborted) return util::error("the response stream was abandoned by the reader");
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
      (code == CURLE_OPERATION_TIMEDOUT && status == 0)) {
    return util::error(connection_advice(endpoint_, code, os_errno));
  }
  if (code != CURLE_OK) {
    std::string what = curl_easy_strerror(code);
    if (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_PARTIAL_FILE ||
        code == CURLE_GOT_NOTHING) {
      what += " (the daemon closed the connection mid-request: did it stop or crash?)";
    }
    return util::error(call.method + " " + call.path + " failed: " + what);
  }
  Outcome outcome;
  outcome.stats = transfer.stats;
  outcome.stats.status = status;
  outcome.body = std::move(transfer.collected);
  outcome.headers = std::move(transfer.headers);
  if (status < 200 || status >= 300) {
    std::string message = daemon_message(outcome.body);
    std::string text = call.method + " " + call.path.substr(0, call.path.find('?')) + " -> " +
                       std::to_string(status) + ": " + message;
    if (status == 400 && message.find("version") != std::string::npos) {
      text += " (the daemon refused the API version; unset DOCKER_API_VERSION or set it to one the daemon supports)";
    }
    if (status == 404) text = "not found: " + text;
    return util::error(text);
  }
  return outcome;
}

util::Result<PingInfo> EngineClient::ping() {
  std::lock_guard asking(negotiation_mutex_);
  return ping_daemon();
}

util::Result<PingInfo> EngineClient::ping_daemon() {
  Call call;
  call.method = "GET";
  call.path = "/_ping";
  call.connect_timeout_s = 5;
  auto outcome = perform(call);
  if (!outcome) return outcome.error();
  PingInfo info;
  auto header = [&](const char* name) {
    auto it = outcome->headers.find(name);
    return it == outcome->headers.end() ? std::string() : it->second;
  };
  info.api_version = header("api-version");
  info.builder_version = header("builder-version");
  info.os_type = header("ostype");
  if (info.api_version.empty()) {
    return util::error("the daemon at " + endpoint_.describe() + " answered /_ping without an API-Version header");
  }
  // Every ping also negotiates, so a command that checks the daemon first
  // makes no second round trip before its first versioned call.
  std::lock_guard lock(version_mutex_);
  if (!api_version_ && !endpoint_.pinned_api_version &&
      compare_api_versions(info.api_version, kClientMinApiVersion) >= 0) {
    api_version_ = compare_api_versions(info.api_version, kClientMaxApiVersion) < 0 ? info.api_version
                                                                                    : std::string(kClientMaxApiVersion);
    if (endpoint_.kind == Endpoint::Kind::Unix) {
      DaemonMemo().remember(endpoint_.socket_path, kApiVersionMemoKey, *api_version_);
    }
  }
  return info;
}

std::optional<std::string> EngineClient::known_api_version() {
  std::lock_guard lock(version_mutex_);
  if (!api_version_ && endpoint_.pinned_api_version) api_version_ = *endpoint_.pinned_api_version;
  if (!api_version_ && !memo_consulted_ && endpoint_.kind == Endpoint::Kind::Unix) {
    memo_consulted_ = true;
    // What an earlier process negotiated with this very daemon, if it is
    // one this client speaks (another buildbench build may have other limits).
    auto remembered = DaemonMemo().recall(endpoint_.socket_path, kApiVersionMemoKey);
    if (remembered && compare_api_versions(*remembered, kClientMinApiVersion) >= 0 &&
        compare_api_versions(*remembered, kClientMaxApiVersion) <= 0) {
      api_version_ = std::move(remembered);
    }
  }
  return api_version_;
}

bool EngineClient::knows_api_version() { return known_api_version().has_value(); }

util::Result<std::string> EngineClient::api_version() {
  if (auto known = known_api_version()) return *known;
  // One /_ping at a time: a caller that comes while another thread's ping is
  // out waits for its answer instead of asking again.
  std::lock_guard asking(negotiation_mutex_);
  if (auto known = known_api_version()) return *known;
  auto info = ping_daemon();  // negotiates when the daemon is recent enough
  if (!info) return info.error();
  std::lock_guard lock(version_mutex_);
  if (!api_version_) {
    return util::error("the daemon at " + endpoint_.describe() + " speaks API " + info->api_version +
                       ", older than " + std::string(kClientMinApiVersion) +
                       " which BuildKit builds need; upgrade Docker (20.10 or newer)");
  }
  return *api_version_;
}

util::Result<std::string> EngineClient::versioned(const std::string& path) {
  auto version = api_version();
  if (!version) return version.error();
  return "/v" + *version + path;
}

util::Result<EngineClient::Outcome> EngineClient::call_versioned(Call call) {
  auto path = versioned(call.path);
  if (!path) return path.error();
  call.path = *path;
  return perform(call);
}

util::Result<nlohmann::json> EngineClient::get_json(const std::string& path) {
  Call call;
  call.method = "GET";
  call.path = path;
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  auto parsed = nlohmann::json::parse(outcome->body, nullptr, false);
  if (parsed.is_discarded()) return util::error("GET " + path + ": the daemon sent invalid JSON");
  return parsed;
}

util::Result<nlohmann::json> EngineClient::version() { return get_json("/version"); }
util::Result<nlohmann::json> EngineClient::info() { return get_json("/info"); }
util::Result<nlohmann::json> EngineClient::system_df() { return get_json("/system/df"); }

util::Result<BuildCacheUsage> EngineClient::build_cache_usage() {
  auto version = api_version();
  if (!version) return version.error();
  auto df = get_json(system_df_path(*version));
  if (!df) return df.error();
  return parse_build_cache_usage(*df);
}

util::Result<nlohmann::json> EngineClient::inspect_image(const std::string& name) {
  return get_json("/images/" + name + "/json");
}

util::Result<EngineClient::ImageSummary> EngineClient::image_summary(const std::string& image_id) {
  const bool memorable = endpoint_.kind == Endpoint::Kind::Unix && is_content_addressed_image_id(image_id);
  const std::string key = "image " + image_id;
  if (memorable) {
    if (auto remembered = DaemonMemo().recall(endpoint_.socket_path, key)) {
      ImageSummary summary;
      std::istringstream in(*remembered);
      if (in >> summary.size >> summary.layers && summary.size >= 0 && summary.layers >= 0) return summary;
    }
  }
  auto image = inspect_image(image_id);
  if (!image) return image.error();
  ImageSummary summary;
  if (image->contains("Size") && (*image)["Size"].is_number_integer()) summary.size = (*image)["Size"].get<int64_t>();
  if (image->contains("RootFS") && (*image)["RootFS"].contains("Layers") && (*image)["RootFS"]["Layers"].is_array()) {
    summary.layers = static_cast<int>((*image)["RootFS"]["Layers"].size());
  }
  if (memorable && summary.size >= 0 && summary.layers >= 0) {
    DaemonMemo().remember(endpoint_.socket_path, key,
                          std::to_string(summary.size) + " " + std::to_string(summary.layers));
  }
  return summary;
}

util::Result<nlohmann::json> EngineClient::list_images(const nlohmann::json& filters) {
  std::string path = "/images/json";
  if (!filters.empty()) path += "?filters=" + url_encode(filters.dump());
  return get_json(path);
}

util::Status EngineClient::remove_image(const std::string& name, bool force) {
  Call call;
  call.method = "DELETE";
  call.path = "/images/" + name + (force ? "?force=1" : "");
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  return {};
}

util::Status EngineClient::tag_image(const std::string& source, const std::string& repo, const std::string& tag) {
  Call call;
  call.method = "POST";
  call.path = "/images/" + source + "/tag?repo=" + url_encode(repo) + "&tag=" + url_encode(tag);
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  return {};
}

util::Result<uint64_t> EngineClient::prune_build_cache(bool all, const nlohmann::json& filters) {
  BuildCachePrune prune;
  prune.all = all;
  prune.filters = filters;
  return prune_build_cache(prune);
}

util::Result<uint64_t> EngineClient::prune_build_cache(const BuildCachePrune& prune) {
  auto version = api_version();
  if (!version) return version.error();
  Call call;
  call.method = "POST";
  call.path = build_prune_path(*version, prune);
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  auto parsed = nlohmann::json::parse(outcome->body, nullptr, false);
  if (parsed.is_object() && parsed.contains("SpaceReclaimed") && parsed["SpaceReclaimed"].is_number()) {
    return parsed["SpaceReclaimed"].get<uint64_t>();
  }
  return uint64_t{0};
}

util::Result<std::string> EngineClient::import_image(BodySource tarball, const std::string& repo,
                                                     const std::string& tag,
                                                     const std::vector<std::string>& changes) {
  Call call;
  call.method = "POST";
  call.path = "/images/create?fromSrc=-&repo=" + url_encode(repo) + "&tag=" + url_encode(tag);
  for (const auto& change : changes) call.path += "&changes=" + url_encode(change);
  call.headers.push_back("Content-Type: application/x-tar");
  call.source = &tarball;
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  // The answer is a JSON-lines progress stream; the last status is the ID,
  // an error arrives as {"error": ...} inside the 200.
  std::istringstream lines(outcome->body);
  std::string line, image_id;
  while (std::getline(lines, line)) {
    auto message = nlohmann::json::parse(line, nullptr, false);
    if (!message.is_object()) continue;
    if (message.contains("error")) return util::error("image import failed: " + message["error"].dump());
    if (message.contains("status") && message["status"].is_string()) {
      std::string status = message["status"];
      if (status.rfind("sha256:", 0) == 0) image_id = status;
    }
  }
  if (image_id.empty()) {
    auto inspected = inspect_image(repo + ":" + tag);
    if (!inspected) return util::error("image import gave no image ID: " + inspected.error().message);
    image_id = (*inspected)["Id"].get<std::string>();
  }
  return image_id;
}

util::Result<StreamStats> EngineClient::build(const BuildQuery& query, BodySource body, ChunkSink sink) {
  std::string q = "/build?";
  auto add = [&](const std::string& key, const std::string& value) {
    if (q.back() != '?') q += '&';
    q += key + "=" + url_encode(value);
  };
  for (const auto& tag : query.tags) add("t", tag);
  if (!query.dockerfile.empty()) add("dockerfile", query.dockerfile);
  if (!query.build_args.empty()) add("buildargs", nlohmann::json(query.build_args).dump());
  if (!query.labels.empty()) add("labels", nlohmann::json(query.labels).dump());
  if (!query.target.empty()) add("target", query.target);
  if (!query.network_mode.empty()) add("networkmode", query.network_mode);
  if (query.no_cache) add("nocache", "1");
  if (query.pull) add("pull", "1");
  add("rm", query.remove_intermediate ? "1" : "0");
  // A failed classic RUN otherwise leaves its stopped container behind.
  if (query.remove_intermediate) add("forcerm", "1");
  add("version", query.buildkit ? "2" : "1");
  if (!query.build_id.empty()) add("buildid", query.build_id);
  if (!query.session_id.empty()) {
    add("session", query.session_id);
    add("remote", "client-session");  // else the empty body would become the context
  }
  Call call;
  call.method = "POST";
  call.path = q;
  call.headers.push_back("Content-Type: application/x-tar");
  if (body) call.source = &body;
  call.sink = &sink;
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  return outcome->stats;
}

util::Status EngineClient::cancel_build(const std::string& build_id) {
  Call call;
  call.method = "POST";
  call.path = "/build/cancel?id=" + url_encode(build_id);
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  return {};
}

util::Result<EngineClient::Response> EngineClient::request(const std::string& method, const std::string& path,
                                                          std::string_view body, std::string_view content_type) {
  Call call;
  call.method = method;
  call.path = path;
  call.body = body;
  if (!content_type.empty()) call.headers.push_back("Content-Type: " + std::string(content_type));
  auto outcome = call_versioned(call);
  if (!outcome) return outcome.error();
  return Response{outcome->stats.status, std::move(outcome->body)};
}

}  // namespace buildbench::docker
