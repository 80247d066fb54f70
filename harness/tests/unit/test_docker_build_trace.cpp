// The BuildKit trace merger (vertices merged by digest, logs, statuses) on
// synthetic StatusResponses built with the generated protobuf classes, and on
// the trace of a recorded build; plus the LogTail it keeps per vertex.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "buildkit_trace.pb.h"
#include "docker/build_stream.h"
#include "docker/build_trace.h"
#include "docker/log_tail.h"
#include "support/test_support.h"

using namespace buildbench::docker;
namespace pb = buildbench::trace;

namespace {

constexpr int64_t kBaseSeconds = 1'700'000'000;

// `at` seconds after an arbitrary base time, millisecond precision.
void set_time(pb::Timestamp* timestamp, double at) {
  const auto millis = static_cast<int64_t>(at * 1000.0 + 0.5);
  timestamp->set_seconds(kBaseSeconds + millis / 1000);
  timestamp->set_nanos(static_cast<int32_t>((millis % 1000) * 1'000'000));
}

struct VertexReport {
  std::string digest;
  std::string name;
  std::optional<double> started;
  std::optional<double> completed;
  bool cached = false;
  std::string error;
};

void add_vertex(pb::StatusResponse& response, const VertexReport& report) {
  auto* vertex = response.add_vertexes();
  vertex->set_digest(report.digest);
  vertex->set_name(report.name);
  vertex->set_cached(report.cached);
  vertex->set_error(report.error);
  if (report.started) set_time(vertex->mutable_started(), *report.started);
  if (report.completed) set_time(vertex->mutable_completed(), *report.completed);
}

void add_log(pb::StatusResponse& response, const std::string& digest, const std::string& text, int64_t stream = 1) {
  auto* log = response.add_logs();
  log->set_vertex(digest);
  log->set_stream(stream);
  log->set_msg(text);
}

std::string bytes_of(const pb::StatusResponse& response) {
  std::string bytes;
  REQUIRE(response.SerializeToString(&bytes));
  return bytes;
}

void add_to(BuildTrace& trace, const pb::StatusResponse& response) { REQUIRE(trace.add(bytes_of(response)).ok()); }

}  // namespace

TEST_CASE("parse_step_name", "[build_trace]") {
  struct Case {
    std::string name;
    std::string stage;
    int index;
    int total;
  };
  const std::vector<Case> cases = {
      {"[build 3/6] COPY go.mod go.sum ./", "build", 3, 6},
      {"[stage-1 2/2] COPY --from=build /app /app", "stage-1", 2, 2},
      {"[ 2/12] RUN make", "", 2, 12},          // padded index, single stage
      {"[build  2/12] RUN make", "build", 2, 12},
      {"[linux/amd64 build 1/3] FROM golang", "build", 1, 3},  // platform prefix
      {"[internal] load remote build context", "internal", 0, 0},
      {"[internal] load metadata for docker.io/library/alpine:3.21", "internal", 0, 0},
      {"[3/4] RUN exit 3", "", 3, 4},
      {"exporting to image", "", 0, 0},
      {"copy /context /", "", 0, 0},
      {"", "", 0, 0},
      {"[", "", 0, 0},
      {"[]", "", 0, 0},
      {"[ ] x", "", 0, 0},
      {"[build 99999999999/2] overflow", "99999999999/2", 0, 0},
      {"[build -1/2] negative", "-1/2", 0, 0},
      {"[build 1/] x", "1/", 0, 0},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const StepName parsed = parse_step_name(c.name);
    CHECK(parsed.stage == c.stage);
    CHECK(parsed.index == c.index);
    CHECK(parsed.total == c.total);
  }
}

TEST_CASE("a vertex reported several times becomes one step", "[build_trace]") {
  BuildTrace trace;
  const std::string run = "sha256:run";
  pb::StatusResponse announced, started, completed;
  add_vertex(announced, {run, "[build 2/3] RUN go build", {}, {}, false, ""});
  add_vertex(started, {run, "[build 2/3] RUN go build", 1.0, {}, false, ""});
  add_vertex(completed, {run, "[build 2/3] RUN go build", 1.0, 3.5, false, ""});
  add_to(trace, announced);
  CHECK(trace.daemon_span_s() == -1);
  REQUIRE(trace.steps().size() == 1);
  CHECK(trace.steps()[0].start_offset_s == -1);
  add_to(trace, started);
  add_to(trace, completed);

  CHECK(trace.messages() == 3);
  CHECK(trace.vertex_count() == 1);
  const auto steps = trace.steps();
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].name == "[build 2/3] RUN go build");
  CHECK(steps[0].stage == "build");
  CHECK(steps[0].index == 2);
  CHECK(steps[0].total == 3);
  CHECK_FALSE(steps[0].cached);
  CHECK(steps[0].start_offset_s == 0.0);
  CHECK(steps[0].duration_s == Approx(2.5));
  CHECK(trace.daemon_span_s() == Approx(2.5));
  CHECK_FALSE(trace.failed_step());
}

TEST_CASE("steps come in order of start - never-started ones last", "[build_trace]") {
  BuildTrace trace;
  pb::StatusResponse response;
  add_vertex(response, {"sha256:never", "[3/3] RUN later", {}, {}, false, ""});
  add_vertex(response, {"sha256:late", "[2/3] COPY . .", 2.0, 2.25, false, ""});
  add_vertex(response, {"sha256:early", "[1/3] FROM base", 0.5, 1.0, true, ""});
  add_vertex(response, {"sha256:never2", "[internal] never either", {}, {}, false, ""});
  add_to(trace, response);
  const auto steps = trace.steps();
  REQUIRE(steps.size() == 4);
  CHECK(steps[0].name == "[1/3] FROM base");
  CHECK(steps[0].cached);
  CHECK(steps[0].start_offset_s == 0.0);
  CHECK(steps[0].duration_s == Approx(0.5));
  CHECK(steps[1].name == "[2/3] COPY . .");
  CHECK(steps[1].start_offset_s == Approx(1.5));
  CHECK(steps[1].duration_s == Approx(0.25));
  CHECK(steps[2].name == "[3/3] RUN later");
  CHECK(steps[3].name == "[internal] never either");
  CHECK(steps[3].duration_s == -1);
  CHECK(trace.daemon_span_s() == Approx(1.75));
}

TEST_CASE("a vertex run twice counts its runs, not the gap between", "[build_trace]") {
  // BuildKit v0.8 loads the remote context twice: once for real, once cached.
  BuildTrace trace;
  pb::StatusResponse first, second, other;
  add_vertex(first, {"sha256:ctx", "[internal] load remote build context", 0.0, 2.0, false, ""});
  add_vertex(second, {"sha256:ctx", "[internal] load remote build context", 5.0, 6.0, true, ""});
  add_vertex(other, {"sha256:x", "copy /context /", 1.0, 10.0, false, ""});
  add_to(trace, first);
  add_to(trace, other);
  add_to(trace, second);
  const auto steps = trace.steps();
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].name == "[internal] load remote build context");
  CHECK(steps[0].duration_s == Approx(3.0));
  CHECK(steps[0].cached);  // the latest report decides
  CHECK(steps[0].stage == "internal");
  CHECK(trace.daemon_span_s() == Approx(10.0));
}

TEST_CASE("overlapping runs are counted once", "[build_trace]") {
  BuildTrace trace;
  pb::StatusResponse response;
  add_vertex(response, {"sha256:v", "v", 0.0, 4.0, false, ""});
  add_vertex(response, {"sha256:v", "v", 1.0, 3.0, false, ""});
  add_vertex(response, {"sha256:v", "v", 3.5, 5.0, false, ""});
  add_to(trace, response);
  CHECK(trace.steps().at(0).duration_s == Approx(5.0));
}

TEST_CASE("logs: split lines, carriage returns, tail length", "[build_trace]") {
  BuildTrace trace;
  const std::string digest = "sha256:run";
  pb::StatusResponse announce;
  add_vertex(announce, {digest, "[2/2] RUN make", 0.0, {}, false, ""});
  add_to(trace, announce);

  pb::StatusResponse a, b;
  add_log(a, digest, "compiling pa");
  add_log(a, digest, "ckage one\nprogress 10%\rprogress 50%\rprogress 100%\n", 2);
  add_log(b, digest, "done\r\n");
  add_to(trace, a);
  add_to(trace, b);
  auto step = trace.steps().at(0);
  CHECK(step.log_tail == std::vector<std::string>{"compiling package one", "progress 100%", "done"});
  CHECK(step.log_bytes == 12 + 50 + 6);

  pb::StatusResponse many;
  for (int i = 0; i < 30; ++i) add_log(many, digest, "line " + std::to_string(i) + "\n");
  add_log(many, digest, "unfinished");
  add_to(trace, many);
  step = trace.steps().at(0);
  REQUIRE(step.log_tail.size() == BuildTrace::kLogTailLines);
  CHECK(step.log_tail.front() == "line 11");
  CHECK(step.log_tail[18] == "line 29");
  CHECK(step.log_tail.back() == "unfinished");
  CHECK(trace.last_log_lines().back() == "unfinished");
}

TEST_CASE("logs of an unannounced vertex make no step", "[build_trace]") {
  BuildTrace trace;
  pb::StatusResponse response;
  add_log(response, "sha256:ghost", "boo\n");
  add_to(trace, response);
  CHECK(trace.steps().empty());
  CHECK(trace.last_log_lines() == std::vector<std::string>{"boo"});
  CHECK(trace.daemon_span_s() == -1);
}

TEST_CASE("context transfer status", "[build_trace]") {
  BuildTrace trace;
  CHECK_FALSE(trace.context_transferred_bytes());
  pb::StatusResponse response;
  for (int64_t current : {1024, 40960, 32}) {
    auto* status = response.add_statuses();
    status->set_id("transferring context:");  // as the 20.10 daemon sends it
    status->set_name("transferring");
    status->set_vertex("sha256:ctx");
    status->set_current(current);
  }
  auto* other = response.add_statuses();
  other->set_name("exporting layers");
  other->set_current(999999);
  auto* dockerfile = response.add_statuses();  // the Dockerfile's own transfer is not the context's
  dockerfile->set_id("transferring dockerfile:");
  dockerfile->set_name("transferring");
  dockerfile->set_current(500000);
  add_to(trace, response);
  REQUIRE(trace.context_transferred_bytes());
  CHECK(*trace.context_transferred_bytes() == 40960);
}

TEST_CASE("timestamps outside any sane range are treated as absent", "[build_trace]") {
  BuildTrace trace;
  pb::StatusResponse response;
  auto* zero_time = response.add_vertexes();  // Go's time.Time{}: year 1
  zero_time->set_digest("sha256:a");
  zero_time->set_name("a");
  zero_time->mutable_started()->set_seconds(-62135596800);
  auto* huge = response.add_vertexes();
  huge->set_digest("sha256:b");
  huge->set_name("b");
  huge->mutable_started()->set_seconds(INT64_MAX);
  huge->mutable_completed()->set_seconds(INT64_MAX);
  auto* bad_nanos = response.add_vertexes();
  bad_nanos->set_digest("sha256:c");
  bad_nanos->set_name("c");
  bad_nanos->mutable_started()->set_seconds(kBaseSeconds);
  bad_nanos->mutable_started()->set_nanos(-5);
  add_to(trace, response);
  for (const auto& step : trace.steps()) {
    INFO(step.name);
    CHECK(step.start_offset_s == -1);
    CHECK(step.duration_s == -1);
  }
  CHECK(trace.daemon_span_s() == -1);
}

TEST_CASE("the failed step is the real error, not a cancellation", "[build_trace]") {
  BuildTrace trace;
  pb::StatusResponse response;
  add_vertex(response, {"sha256:other", "[tools 2/2] RUN sleep 9", 0.0, 1.0, false, "context canceled"});
  add_vertex(response, {"sha256:bad", "[build 2/2] RUN exit 1", 0.0, 1.5, false, "exit code: 1"});
  add_vertex(response, {"sha256:ok", "[build 1/2] COPY . .", 0.0, 0.5, false, ""});
  add_to(trace, response);
  auto failed = trace.failed_step();
  REQUIRE(failed);
  CHECK(failed->name == "[build 2/2] RUN exit 1");
  CHECK(failed->error == "exit code: 1");
}

TEST_CASE("bytes that are not a StatusResponse are an error and change nothing", "[build_trace]") {
  BuildTrace trace;
  for (const std::string& bad : {std::string("\x0a\xff", 2), std::string("\xff\xff\xff\xff", 4),
                                 std::string("\x0a\x02\x0a", 3)}) {
    CHECK_FALSE(trace.add(bad).ok());
  }
  CHECK(trace.messages() == 0);
  CHECK(trace.vertex_count() == 0);
  CHECK(trace.add("").ok());  // an empty StatusResponse is valid
}

TEST_CASE("invalid UTF-8 in names and logs is replaced, not rejected", "[build_trace]") {
  BuildTrace trace;
  pb::StatusResponse response;
  add_vertex(response, {"sha256:v", "[1/1] RUN echo \xff", 0.0, 1.0, false, "bad \xc3"});
  add_log(response, "sha256:v", "caf\xe9\n");
  add_to(trace, response);
  const auto step = trace.steps().at(0);
  CHECK(step.name == "[1/1] RUN echo \xef\xbf\xbd");
  CHECK(step.error == "bad \xef\xbf\xbd");
  CHECK(step.log_tail == std::vector<std::string>{"caf\xef\xbf\xbd"});
}

TEST_CASE("the trace of a recorded BuildKit build", "[build_trace]") {
  auto messages = decode_build_stream(buildbench::test::read_file(buildbench::test::data_path("streams/buildkit_cold.jsonl")));
  REQUIRE(messages.ok());
  BuildTrace trace;
  for (const auto& message : *messages) {
    if (message.kind == StreamMessageKind::Trace) REQUIRE(trace.add(message.payload).ok());
  }
  CHECK(trace.messages() == messages->size() - 2);
  // The Dockerfile's 12 steps are 9 vertices ("FROM base" of another stage
  // makes none, and both FROMs of the busybox image are one vertex, named
  // "[base 1/2] FROM ..."); plus context load, context copy, metadata, export.
  CHECK(trace.vertex_count() == 13);
  const auto steps = trace.steps();
  REQUIRE(steps.size() == 13);
  CHECK(steps[3].name == "[base 1/2] FROM docker.io/buildbench-test/stream-busybox:1");
  CHECK(steps.front().name == "[internal] load remote build context");
  CHECK(steps.back().name == "exporting to image");
  for (const auto& step : steps) {
    INFO(step.name);
    CHECK(step.start_offset_s >= 0);
    CHECK(step.duration_s >= 0);
    CHECK(step.start_offset_s + step.duration_s <= trace.daemon_span_s() + 1e-9);
  }
  CHECK(trace.last_log_lines().back() == "out-tools.txt");
}

TEST_CASE("LogTail", "[log_tail]") {
  SECTION("ANSI colour sequences are dropped, even split across appends") {
    LogTail tail;
    tail.append("\x1b[91moops\n\x1b");
    tail.append("[0mnext\x1b");
    tail.append("(Bline\n");
    CHECK(tail.lines() == std::vector<std::string>{"oops", "nextline"});
    CHECK(tail.complete_lines() == 2);
  }
  SECTION("a CR at the end of one append and LF at the start of the next is CRLF") {
    LogTail tail;
    tail.append("a\r");
    tail.append("\nb");
    CHECK(tail.lines() == std::vector<std::string>{"a", "b"});
  }
  SECTION("very long lines are cut") {
    LogTail tail;
    tail.append(std::string(LogTail::kMaxLineBytes * 3, 'x'));
    tail.append("\n");
    REQUIRE(tail.lines().size() == 1);
    CHECK(tail.lines()[0].size() == LogTail::kMaxLineBytes);
    CHECK(tail.bytes() == LogTail::kMaxLineBytes * 3 + 1);
  }
  SECTION("zero lines kept") {
    LogTail tail(0);
    tail.append("a\nb");
    CHECK(tail.lines().empty());
    CHECK(tail.complete_lines() == 1);
  }
}

TEST_CASE("valid_utf8", "[log_tail]") {
  CHECK(valid_utf8("plain") == "plain");
  CHECK(valid_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xb3") == "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x90\xb3");
  CHECK(valid_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");           // overlong
  CHECK(valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  CHECK(valid_utf8("\xf4\x90\x80\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // > U+10FFFF
  CHECK(valid_utf8("ab\xe2\x82") == "ab\xef\xbf\xbd\xef\xbf\xbd");        // truncated
  CHECK(valid_utf8(std::string("a\0b", 3)) == std::string("a\0b", 3));
}
