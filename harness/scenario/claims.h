#pragma once
// Claims: what a post (or a README, or a colleague) says about build times,
// written in the scenario file together with the measurement that tests
// each one (docs/scenarios.md, "claims"). The scenario holds them as data;
// the runner copies them into the results header, and the report computes
// a verdict for each from the samples. Nothing here looks at results.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/problem.h"

namespace buildbench::scenario {

enum class CheckType {
  Faster,       // `variant` takes less time than `than` in one build kind (statistically)
  Less,         // an exact metric (bytes, counts) of `variant` is below that of `than`
  CachedUntil,  // every step up to `last_cached_step` is cached, every later one reruns
  AtMost,       // an exact metric of `variant` is at most `value`
};

std::string_view check_type_name(CheckType type);  // "faster", "less", "cached_until", "at_most"

// Metric identifiers a check may name (the report's metric ids): `faster`
// takes the noisy time metrics, `less` and `at_most` the exact ones.
const std::vector<std::string>& time_metric_ids();   // wall_s, daemon_span_s, context_transfer_s
const std::vector<std::string>& exact_metric_ids();  // context_bytes, proxy_bytes, proxy_requests, image_size

struct ClaimCheck {
  CheckType type = CheckType::Faster;
  std::string variant;                  // the variant the claim is about
  std::string than;                     // Faster, Less: the variant it is compared to
  std::string kind;                     // a build kind label ("code-change", "cachebust:SEED")
  std::string metric = "wall_s";        // Faster, Less, AtMost
  // Faster: the ratio of medians (variant / than) at or below which the
  // claim fully holds ("much faster" = 0.5). Without it any significant
  // speed-up holds; above it a significant speed-up holds partly.
  std::optional<double> holds_at_most;
  std::string last_cached_step;         // CachedUntil: the start of a step's instruction, "RUN go mod download"
  double value = 0;                     // AtMost: in the metric's unit (bytes, requests)
};

struct Claim {
  std::string id;    // a name, unique in the scenario
  std::string text;  // the claim as the post makes it
  std::string note;  // optional: context a reader needs (why our numbers differ); no measurements
  std::vector<ClaimCheck> checks;  // at least one; a claim holds when all of them do
};

// The canonical JSON of claims, as in a scenario file and the results header.
nlohmann::ordered_json claims_to_json(const std::vector<Claim>& claims);

struct ClaimsOutcome {
  std::vector<Claim> claims;       // the claims that parsed (all of them when problems is empty)
  std::vector<Problem> problems;   // pointers start at `pointer` ("/claims/2/checks/0/than")
};

// Reads a `claims` array. Variants and build kinds named by checks must be
// among `variants` and `kinds` (labels); a null list is not checked (when
// the variants themselves have problems, every name would look wrong).
// `pointer` is where the array sits ("/claims" in a scenario file). Never throws.
ClaimsOutcome parse_claims(const nlohmann::ordered_json& value, const std::string& pointer,
                           const std::vector<std::string>* variants, const std::vector<std::string>* kinds);

}  // namespace buildbench::scenario
