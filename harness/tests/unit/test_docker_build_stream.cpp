// The build stream decoder and collector, on streams recorded from Docker
// 20.10.24 (BuildKit v0.8 and the classic builder): see
// tests/data/streams/record.sh for the Dockerfiles.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/build_stream.h"
#include "docker/build_trace.h"
#include "docker/classic_steps.h"
#include "support/test_support.h"
#include "util/text.h"

using namespace buildbench::docker;
using buildbench::test::data_path;
using buildbench::test::read_file;

namespace {

const std::vector<std::string> kRecordings = {
    "buildkit_cold.jsonl", "buildkit_warm.jsonl", "buildkit_fail.jsonl",
    "classic_cold.jsonl",  "classic_warm.jsonl",  "classic_fail.jsonl", "buildkit28_warnings.jsonl"};

std::string recording(const std::string& name) { return read_file(data_path("streams/" + name)); }

// The recording's lines as strings (the tests append to them).
std::vector<std::string> split_lines(const std::string& body) {
  const auto lines = buildbench::util::split_lines(body);
  return {lines.begin(), lines.end()};
}

// Decodes `body` cut into the given chunks.
std::vector<StreamMessage> decode_chunks(const std::vector<std::string_view>& chunks) {
  std::vector<StreamMessage> messages;
  BuildStreamDecoder decoder([&](StreamMessage&& message) -> buildbench::util::Status {
    messages.push_back(std::move(message));
    return {};
  });
  for (auto chunk : chunks) {
    auto fed = decoder.feed(chunk);
    REQUIRE(fed.ok());
  }
  REQUIRE(decoder.finish().ok());
  return messages;
}

size_t count_kind(const std::vector<StreamMessage>& messages, StreamMessageKind kind) {
  return static_cast<size_t>(std::count_if(messages.begin(), messages.end(),
                                           [&](const StreamMessage& m) { return m.kind == kind; }));
}

// A collector fed the recording line by line, the fake clock reading the
// line's number: classic step times are then line numbers.
BuildRecord collect_by_line(const std::string& name) {
  double now = 0;
  BuildStreamCollector collector([&] { return now; });
  const auto lines = split_lines(recording(name));
  for (size_t i = 0; i < lines.size(); ++i) {
    now = static_cast<double>(i);
    REQUIRE(collector.feed(lines[i] + "\n").ok());
  }
  REQUIRE(collector.finish().ok());
  BuildRecord record;
  collector.fill(record);
  return record;
}

const BuildStep& step_named(const BuildRecord& record, const std::string& prefix) {
  for (const auto& step : record.steps) {
    if (step.name.rfind(prefix, 0) == 0) return step;
  }
  FAIL("no step named " << prefix);
  throw;  // unreachable: FAIL throws
}

}  // namespace

TEST_CASE("every recording decodes to the same messages for any split into chunks", "[build_stream]") {
  for (const auto& name : kRecordings) {
    INFO(name);
    const std::string body = recording(name);
    REQUIRE(body.size() < 100 * 1024);
    auto whole = decode_build_stream(body);
    REQUIRE(whole.ok());
    const auto lines = split_lines(body);
    REQUIRE(whole->size() == lines.size());

    // Every byte position as a 2-chunk split. The decoder carries nothing
    // across a line end but the bytes of an unfinished line, so the cut
    // is applied to the line it falls in together with its neighbours (a
    // whole line before the cut, one after): the same states as cutting the
    // whole body, at a fifth of the cost (this runs under ASan too).
    for (size_t k = 0; k < lines.size(); ++k) {
      const size_t first = k == 0 ? 0 : k - 1;
      const size_t last = std::min(k + 1, lines.size() - 1);
      std::string window;
      size_t line_start = 0;
      for (size_t i = first; i <= last; ++i) {
        if (i == k) line_start = window.size();
        window += lines[i] + "\n";
      }
      const std::vector<StreamMessage> expected(whole->begin() + static_cast<std::ptrdiff_t>(first),
                                                whole->begin() + static_cast<std::ptrdiff_t>(last) + 1);
      for (size_t cut = line_start; cut <= line_start + lines[k].size() + 1; ++cut) {
        const std::string_view view(window);
        if (decode_chunks({view.substr(0, cut), view.substr(cut)}) != expected) {
          FAIL("split at byte " << cut - line_start << " of line " << k + 1 << " changes the messages");
        }
      }
    }
    // And whole-body splits: at every 61st byte, around every line end.
    for (size_t cut = 0; cut <= body.size(); ++cut) {
      const bool near_line_end = (cut > 0 && body[cut - 1] == '\n') || (cut < body.size() && body[cut] == '\n');
      if (cut % 61 != 0 && !near_line_end) continue;
      const std::string_view view(body);
      if (decode_chunks({view.substr(0, cut), view.substr(cut)}) != *whole) {
        FAIL("split at byte " << cut << " changes the messages");
      }
    }
    // One byte at a time.
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < body.size(); ++i) bytes.push_back(std::string_view(body).substr(i, 1));
    CHECK(decode_chunks(bytes) == *whole);
  }
}

TEST_CASE("CRLF line ends and blank lines decode like LF", "[build_stream]") {
  for (const auto& name : kRecordings) {
    INFO(name);
    const std::string body = recording(name);
    std::string crlf;
    for (const auto& line : split_lines(body)) crlf += line + "\r\n\r\n";
    auto lf = decode_build_stream(body);
    auto converted = decode_build_stream(crlf);
    REQUIRE(lf.ok());
    REQUIRE(converted.ok());
    CHECK(*converted == *lf);
  }
}

TEST_CASE("message kinds of the recorded streams", "[build_stream]") {
  SECTION("BuildKit: trace, image id, tag line") {
    auto messages = decode_build_stream(recording("buildkit_cold.jsonl"));
    REQUIRE(messages.ok());
    CHECK(count_kind(*messages, StreamMessageKind::Trace) == messages->size() - 2);
    REQUIRE(count_kind(*messages, StreamMessageKind::ImageId) == 1);
    const auto image = *std::find_if(messages->begin(), messages->end(),
                                     [](const StreamMessage& m) { return m.kind == StreamMessageKind::ImageId; });
    CHECK(image.id == "moby.image.id");
    CHECK(image.text == "sha256:6567f46595517f795d3e04b212c286023ecfd65e2c84cda95223b6390ac22ca3");
    CHECK(messages->back().kind == StreamMessageKind::Stream);
    CHECK(messages->back().text == "Successfully tagged buildbench-test/stream-bk:1\n");
    // base64 decoded: protobuf bytes start with field 1 (vertexes), wire type 2.
    CHECK(messages->front().payload.at(0) == '\x0a');
  }
  SECTION("BuildKit failure: error without code") {
    auto messages = decode_build_stream(recording("buildkit_fail.jsonl"));
    REQUIRE(messages.ok());
    const auto& last = messages->back();
    CHECK(last.kind == StreamMessageKind::Error);
    CHECK(last.error_code == 0);
    CHECK(last.text ==
          "executor failed running [/bin/sh -c echo \"first output line\" && echo \"second output line\" && "
          "echo \"oops on stderr\" >&2 && exit 3]: exit code: 3");
  }
  SECTION("classic failure: error with the exit code") {
    auto messages = decode_build_stream(recording("classic_fail.jsonl"));
    REQUIRE(messages.ok());
    CHECK(messages->back().kind == StreamMessageKind::Error);
    CHECK(messages->back().error_code == 3);
    CHECK(messages->back().text.find("returned a non-zero code: 3") != std::string::npos);
  }
  SECTION("classic: bare aux ID is an image ID") {
    auto messages = decode_build_stream(recording("classic_cold.jsonl"));
    REQUIRE(messages.ok());
    CHECK(count_kind(*messages, StreamMessageKind::ImageId) == 4);  // one per stage
    CHECK(count_kind(*messages, StreamMessageKind::Trace) == 0);
    CHECK((*messages)[0].text == "Step 1/12 : FROM buildbench-test/stream-busybox:1 AS base");
  }
}

TEST_CASE("parse_stream_line", "[build_stream]") {
  SECTION("status with id") {
    auto m = parse_stream_line(R"({"status":"Downloading","progressDetail":{"current":1},"id":"abc"})");
    REQUIRE(m.ok());
    REQUIRE(m->has_value());
    CHECK((*m)->kind == StreamMessageKind::Status);
    CHECK((*m)->text == "Downloading");
    CHECK((*m)->id == "abc");
  }
  SECTION("error field alone, or errorDetail alone") {
    auto plain = parse_stream_line(R"({"error":"boom"})");
    REQUIRE(plain.ok());
    CHECK((*plain)->kind == StreamMessageKind::Error);
    CHECK((*plain)->text == "boom");
    auto detail = parse_stream_line(R"({"errorDetail":{"code":7,"message":"detailed"}})");
    REQUIRE(detail.ok());
    CHECK((*detail)->text == "detailed");
    CHECK((*detail)->error_code == 7);
    auto huge_code = parse_stream_line(R"({"errorDetail":{"code":99999999999,"message":"x"}})");
    REQUIRE(huge_code.ok());
    CHECK((*huge_code)->error_code == 0);
  }
  SECTION("other aux kept as JSON") {
    auto m = parse_stream_line(R"({"id":"moby.something","aux":{"x":[1,2]}})");
    REQUIRE(m.ok());
    CHECK((*m)->kind == StreamMessageKind::Aux);
    CHECK((*m)->id == "moby.something");
    CHECK((*m)->payload == R"({"x":[1,2]})");
  }
  SECTION("blank lines and objects without known fields are skipped") {
    for (const char* line : {"", "   ", "\t", "{}", R"({"progressDetail":{}})", R"({"stream":null})"}) {
      INFO(line);
      auto m = parse_stream_line(line);
      REQUIRE(m.ok());
      CHECK_FALSE(m->has_value());
    }
  }
  SECTION("bad lines are errors") {
    for (const char* line : {"{", "not json", "[1,2]", "\"text\"", "42", R"({"stream":5})",
                             R"({"status":true})", R"({"id":"moby.buildkit.trace","aux":"***"})",
                             R"({"id":"moby.buildkit.trace","aux":{"ID":"x"}})", R"({"aux":{"ID":3}})",
                             R"({"stream":"a"} trailing)", "{\"stream\":\"\xff\"}"}) {
      INFO(line);
      CHECK_FALSE(parse_stream_line(line).ok());
    }
  }
}

TEST_CASE("decoder errors are values and stick", "[build_stream]") {
  size_t delivered = 0;
  auto count = [&](StreamMessage&&) -> buildbench::util::Status {
    ++delivered;
    return {};
  };
  SECTION("a truncated last line fails at finish") {
    BuildStreamDecoder decoder(count);
    REQUIRE(decoder.feed("{\"stream\":\"a\\n\"}\n{\"stream\":\"unfinis").ok());
    CHECK(delivered == 1);
    auto finished = decoder.finish();
    REQUIRE_FALSE(finished.ok());
    CHECK(finished.error().message.find("truncated") != std::string::npos);
    CHECK_FALSE(decoder.finish().ok());
  }
  SECTION("a whole last line without newline is accepted") {
    BuildStreamDecoder decoder(count);
    REQUIRE(decoder.feed("{\"stream\":\"a\"}").ok());
    REQUIRE(decoder.finish().ok());
    CHECK(delivered == 1);
  }
  SECTION("garbage stops the decoder and names the line") {
    BuildStreamDecoder decoder(count);
    auto fed = decoder.feed("{\"stream\":\"a\"}\n\x01\x02garbage\n{\"stream\":\"b\"}\n");
    REQUIRE_FALSE(fed.ok());
    CHECK(fed.error().message.find("line 2") != std::string::npos);
    CHECK(delivered == 1);
    CHECK_FALSE(decoder.feed("{\"stream\":\"c\"}\n").ok());
    CHECK(delivered == 1);
  }
  SECTION("a line longer than the limit fails, however it is chunked") {
    BuildStreamDecoder whole(count, 16);
    CHECK_FALSE(whole.feed("{\"stream\":\"0123456789\"}\n").ok());
    BuildStreamDecoder pieces(count, 16);
    CHECK(pieces.feed("{\"stream\":").ok());
    CHECK_FALSE(pieces.feed("\"0123456789\"}").ok());
    BuildStreamDecoder fits(count, 16);
    CHECK(fits.feed("{\"stream\":\"ab\"}\n").ok());
  }
  SECTION("the handler's error stops decoding") {
    BuildStreamDecoder decoder([&](StreamMessage&&) -> buildbench::util::Status {
      ++delivered;
      return buildbench::util::error("handler says no");
    });
    auto fed = decoder.feed("{\"stream\":\"a\"}\n{\"stream\":\"b\"}\n");
    REQUIRE_FALSE(fed.ok());
    CHECK(fed.error().message == "handler says no");
    CHECK(delivered == 1);
  }
}

TEST_CASE("collector: BuildKit cold build", "[build_stream]") {
  const BuildRecord record = collect_by_line("buildkit_cold.jsonl");
  CHECK(record.ok);
  CHECK(record.error.empty());
  CHECK(record.image_id == "sha256:6567f46595517f795d3e04b212c286023ecfd65e2c84cda95223b6390ac22ca3");
  // base: RUN; build: COPY, RUN; tools: COPY, RUN; stage-3: COPY, COPY, RUN.
  CHECK(record.total_steps == 8);
  CHECK(record.cached_steps == 0);
  CHECK(record.daemon_span_s > 1.6);  // two parallel stages of 4 x 0.4 s sleeps
  CHECK(record.daemon_span_s < 5.0);

  const auto& build = step_named(record, "[build 2/2] RUN");
  const auto& tools = step_named(record, "[tools 2/2] RUN");
  CHECK(build.stage == "build");
  CHECK(build.index == 2);
  CHECK(build.total == 2);
  CHECK_FALSE(build.cached);
  CHECK(build.log_tail == std::vector<std::string>{"build line 1", "build line 2", "build line 3", "build line 4"});
  CHECK(build.log_bytes == 4 * 13);
  CHECK(build.duration_s > 1.5);
  CHECK(tools.duration_s > 1.5);
  // The two stages ran in parallel: each started before the other ended.
  CHECK(build.start_offset_s < tools.start_offset_s + tools.duration_s);
  CHECK(tools.start_offset_s < build.start_offset_s + build.duration_s);

  const auto& final_run = step_named(record, "[stage-3 4/4] RUN ls /app");
  CHECK(final_run.stage == "stage-3");
  CHECK(final_run.start_offset_s >= build.start_offset_s + build.duration_s);
  CHECK(final_run.log_tail == std::vector<std::string>{"out-build.txt", "out-tools.txt"});

  // Steps come in order of start; the first one starts the span.
  REQUIRE_FALSE(record.steps.empty());
  CHECK(record.steps.front().start_offset_s == 0.0);
  for (size_t i = 1; i < record.steps.size(); ++i) {
    CHECK(record.steps[i - 1].start_offset_s <= record.steps[i].start_offset_s);
  }
  for (const auto& step : record.steps) CHECK(step.error.empty());
}

// Recorded from Docker 28.5.2 (BuildKit 0.25): the Dockerfile checks come
// as trace warnings.
TEST_CASE("collector: BuildKit 0.25 build-check warnings are recorded once each", "[build_stream]") {
  const BuildRecord record = collect_by_line("buildkit28_warnings.jsonl");
  CHECK(record.ok);
  REQUIRE(record.warnings.size() == 4);
  const auto& from_as = record.warnings[0];
  CHECK(from_as.level == 1);
  CHECK(from_as.message == "FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)");
  CHECK(from_as.detail == std::vector<std::string>{"The 'as' keyword should match the case of the 'from' keyword"});
  CHECK(from_as.url == "https://docs.docker.com/go/dockerfile/rule/from-as-casing/");
  CHECK(from_as.file == "Dockerfile");
  CHECK(from_as.line == 1);
  CHECK(record.warnings[1].message.rfind("ConsistentInstructionCasing: Command 'from'", 0) == 0);
  CHECK(record.warnings[1].line == 3);
  CHECK(record.warnings[2].message.rfind("ConsistentInstructionCasing: Command 'cmd'", 0) == 0);
  CHECK(record.warnings[3].message.rfind("JSONArgsRecommended:", 0) == 0);
  CHECK(record.warnings[3].line == 4);

  // Into the results line and back; the field is left out when empty.
  const auto json = buildbench::docker::to_json(record);
  REQUIRE(json.contains("build_warnings"));
  CHECK(json["build_warnings"][0]["line"] == 1);
  CHECK(json["build_warnings"][3]["url"] == "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/");
  CHECK_FALSE(buildbench::docker::to_json(collect_by_line("buildkit_cold.jsonl")).contains("build_warnings"));
  CHECK(collect_by_line("buildkit_cold.jsonl").warnings.empty());

  // A warning the daemon repeats (a later solve re-reporting it) is kept once.
  auto messages = decode_build_stream(recording("buildkit28_warnings.jsonl"));
  REQUIRE(messages.ok());
  buildbench::docker::BuildTrace twice;
  for (int round = 0; round < 2; ++round) {
    for (const auto& message : *messages) {
      if (message.kind == StreamMessageKind::Trace) REQUIRE(twice.add(message.payload).ok());
    }
  }
  CHECK(twice.warnings().size() == 4);
}

TEST_CASE("collector: BuildKit warm build is all cached", "[build_stream]") {
  const BuildRecord record = collect_by_line("buildkit_warm.jsonl");
  CHECK(record.ok);
  CHECK(record.total_steps == 8);
  CHECK(record.cached_steps == 8);
  CHECK(step_named(record, "[build 2/2] RUN").cached);
  CHECK(step_named(record, "[tools 2/2] RUN").cached);
  CHECK(record.daemon_span_s > 0);
  CHECK(record.daemon_span_s < 1.0);
}

TEST_CASE("collector: BuildKit failure", "[build_stream]") {
  const BuildRecord record = collect_by_line("buildkit_fail.jsonl");
  CHECK_FALSE(record.ok);
  CHECK(record.error.find("exit code: 3") != std::string::npos);
  CHECK(record.failed_step ==
        "[3/4] RUN echo \"first output line\" && echo \"second output line\" && echo \"oops on stderr\" >&2 && exit 3");
  CHECK(record.failure_log_tail ==
        std::vector<std::string>{"oops on stderr", "first output line", "second output line"});
  const auto& failed = step_named(record, "[3/4] RUN");
  CHECK(failed.stage.empty());  // single-stage Dockerfile: "[3/4]" has no stage name
  CHECK(failed.index == 3);
  CHECK(failed.error == record.error);
  // The step after the failure was announced but never ran.
  const auto& never = step_named(record, "[4/4] RUN echo never");
  CHECK(never.start_offset_s < 0);
  CHECK(never.duration_s < 0);
  CHECK(&never == &record.steps.back());
}

TEST_CASE("collector: classic cold build, timed by the injected clock", "[build_stream]") {
  const BuildRecord record = collect_by_line("classic_cold.jsonl");
  CHECK(record.ok);
  CHECK(record.image_id == "sha256:4c3fe41a3e287928e0ee62f399c3dd79464774cf4ee3ea3865c6e667b878b062");
  CHECK(record.daemon_span_s < 0);
  REQUIRE(record.steps.size() == 12);
  CHECK(record.total_steps == 8);  // 12 minus 4 FROM
  CHECK(record.cached_steps == 0);

  const std::vector<std::string> stages = {"base",  "base",  "build",   "build",   "build",   "tools",
                                           "tools", "tools", "stage-3", "stage-3", "stage-3", "stage-3"};
  for (size_t i = 0; i < 12; ++i) {
    INFO(i);
    CHECK(record.steps[i].index == static_cast<int>(i + 1));
    CHECK(record.steps[i].total == 12);
    CHECK(record.steps[i].stage == stages[i]);
  }
  // Line numbers of the recording: a step starts with its "Step" line and
  // ends with its " ---> <image id>" line.
  const auto& first = record.steps[0];
  CHECK(first.name == "FROM buildbench-test/stream-busybox:1 AS base");
  CHECK(first.start_offset_s == 0.0);
  CHECK(first.duration_s == 2.0);
  const auto& build = record.steps[4];
  CHECK(build.name.rfind("RUN for i in 1 2 3 4; do echo \"build line $i\"", 0) == 0);
  CHECK(build.start_offset_s == 15.0);
  CHECK(build.duration_s == 8.0);
  CHECK(build.log_tail == std::vector<std::string>{"build line 1", "build line 2", "build line 3", "build line 4"});
  const auto& last = record.steps[11];
  CHECK(last.name == "RUN ls /app");
  CHECK(last.start_offset_s == 50.0);
  CHECK(last.duration_s == 5.0);
  CHECK(last.log_tail == std::vector<std::string>{"out-build.txt", "out-tools.txt"});
}

// Docker 28.5's classic builder: " ---> Removed intermediate container ID"
// (20.10: "Removing intermediate container ID") is not the step's output.
TEST_CASE("classic steps: 28.x clean-up lines are not output", "[build_stream]") {
  double now = 0;
  buildbench::docker::ClassicStepParser parser([&] { return now; });
  parser.add_output("Step 1/2 : FROM scratch\nStep 2/2 : RUN echo hi\n ---> Running in 0123456789ab\n");
  parser.add_output("hi\n ---> Removed intermediate container 0123456789ab\n ---> 5f3e1e0fb2a7\n");
  parser.add_output("Removing intermediate container 0123456789ab\nSuccessfully built 5f3e1e0fb2a7\n");
  parser.finish();
  const auto steps = parser.steps();
  REQUIRE(steps.size() == 2);
  CHECK(steps[1].log_bytes == 3);
  CHECK(parser.last_log_lines() == std::vector<std::string>{"hi"});
}

TEST_CASE("collector: classic warm build is all cached", "[build_stream]") {
  const BuildRecord record = collect_by_line("classic_warm.jsonl");
  CHECK(record.ok);
  CHECK(record.total_steps == 8);
  CHECK(record.cached_steps == 8);
  for (const auto& step : record.steps) {
    const bool from = step.name.rfind("FROM ", 0) == 0;
    CHECK(step.cached == !from);
    CHECK(step.log_tail.empty());
  }
}

TEST_CASE("collector: classic failure", "[build_stream]") {
  const BuildRecord record = collect_by_line("classic_fail.jsonl");
  CHECK_FALSE(record.ok);
  CHECK(record.error.find("returned a non-zero code: 3") != std::string::npos);
  CHECK(record.failed_step ==
        "RUN echo \"first output line\" && echo \"second output line\" && echo \"oops on stderr\" >&2 && exit 3");
  // The stderr line arrives wrapped in ANSI colour codes; they are dropped.
  CHECK(record.failure_log_tail ==
        std::vector<std::string>{"oops on stderr", "first output line", "second output line"});
  REQUIRE(record.steps.size() == 3);
  CHECK(record.steps[2].error == record.error);
  CHECK(record.steps[2].start_offset_s == 8.0);
  CHECK(record.steps[2].duration_s == 5.0);  // ended by the error on line 13
  CHECK(record.steps[1].error.empty());
}

TEST_CASE("collector: streams that end badly are failures", "[build_stream]") {
  SECTION("truncated in the middle of a line") {
    const std::string body = recording("buildkit_cold.jsonl");
    BuildStreamCollector collector([] { return 0.0; });
    REQUIRE(collector.feed(std::string_view(body).substr(0, body.size() / 2)).ok());
    CHECK_FALSE(collector.finish().ok());
    BuildRecord record;
    collector.fill(record);
    CHECK_FALSE(record.ok);
    CHECK(record.error.find("truncated") != std::string::npos);
    CHECK_FALSE(record.steps.empty());  // what arrived is kept
  }
  SECTION("cut after a whole line, before the image ID") {
    const std::string body = recording("classic_cold.jsonl");
    BuildStreamCollector collector([] { return 0.0; });
    REQUIRE(collector.feed(body.substr(0, body.find("Step 5/12") - 11)).ok());
    REQUIRE(collector.finish().ok());
    BuildRecord record;
    collector.fill(record);
    CHECK_FALSE(record.ok);
    CHECK(record.error == "classic build stream ended before \"Successfully built\"");
    CHECK(record.image_id == "sha256:dc7703391a2b91ddf726639583b1f23614fb163e44eb976b5aac7c3819a4733b");
    CHECK(record.steps.size() == 4);
  }
  SECTION("nothing at all") {
    BuildStreamCollector collector([] { return 0.0; });
    REQUIRE(collector.finish().ok());
    BuildRecord record;
    collector.fill(record);
    CHECK_FALSE(record.ok);
    CHECK(record.error == "build stream ended without an image ID or an error");
    CHECK(record.steps.empty());
  }
  SECTION("not finished") {
    BuildStreamCollector collector([] { return 0.0; });
    REQUIRE(collector.feed(recording("classic_cold.jsonl")).ok());
    BuildRecord record;
    collector.fill(record);
    CHECK_FALSE(record.ok);
    CHECK(record.error == "build stream not finished");
  }
  SECTION("a trace aux that is not a StatusResponse") {
    BuildStreamCollector collector([] { return 0.0; });
    // base64 of "\x0a\xff": field 1, length 255, but no bytes follow.
    CHECK_FALSE(collector.feed("{\"id\":\"moby.buildkit.trace\",\"aux\":\"Cv8=\"}\n").ok());
    BuildRecord record;
    collector.fill(record);
    CHECK_FALSE(record.ok);
    CHECK(record.error.find("StatusResponse") != std::string::npos);
  }
}
