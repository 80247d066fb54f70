// Claims in scenario files: reading and validating them (every problem with
// its JSON pointer, as for the rest of the file) and their canonical JSON.
#include "scenario/claims.h"

#include <algorithm>
#include <map>

#include "scenario/checker.h"

namespace buildbench::scenario {
namespace {

using namespace detail;

constexpr size_t kMaxClaims = 64;
constexpr size_t kMaxChecks = 16;
constexpr size_t kMaxClaimText = 2000;
constexpr double kMaxAtMostValue = 1e15;

const std::vector<std::string>& check_names() {
  static const std::vector<std::string> names = {"faster", "less", "cached_until", "at_most"};
  return names;
}

constexpr CheckType kCheckTypes[] = {CheckType::Faster, CheckType::Less, CheckType::CachedUntil, CheckType::AtMost};

const std::vector<std::string>& keys_of(CheckType type) {
  static const std::vector<std::string> faster = {"check", "variant", "than", "kind", "metric", "holds_at_most"};
  static const std::vector<std::string> less = {"check", "variant", "than", "kind", "metric"};
  static const std::vector<std::string> cached = {"check", "variant", "kind", "last_cached_step"};
  static const std::vector<std::string> at_most = {"check", "variant", "kind", "metric", "value"};
  switch (type) {
    case CheckType::Faster: return faster;
    case CheckType::Less: return less;
    case CheckType::CachedUntil: return cached;
    case CheckType::AtMost: return at_most;
  }
  return faster;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

class ClaimReader {
 public:
  ClaimReader(Checker& check, const std::vector<std::string>* variants, const std::vector<std::string>* kinds)
      : check_(check), variants_(variants), kinds_(kinds) {}

  std::optional<Claim> claim(const Json& value, const std::string& pointer) {
    if (!check_.is_type(value, pointer, value.is_object(), "{\"id\": ..., \"text\": ..., \"checks\": [...]}")) {
      return std::nullopt;
    }
    check_.unknown_keys(value, pointer, {"id", "text", "note", "checks"});
    Claim claim;
    bool ok = true;
    if (const Json* id = check_.require(value, pointer, "id", "a name for the claim, such as `layer-order`")) {
      if (auto text = check_.string_value(*id, child(pointer, "id"), kNameExpectation); text && is_name(*text)) {
        claim.id = *text;
      } else {
        if (text) check_.add(child(pointer, "id"), code(*text) + " is not a valid name (expected " + std::string(kNameExpectation) + ")");
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const Json* text = check_.require(value, pointer, "text", "the claim in the post's words")) {
      if (auto words = prose(*text, child(pointer, "text"), "the claim in the post's words")) {
        claim.text = *words;
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const Json* note = Checker::find(value, "note"); note != nullptr && !note->is_null()) {
      if (auto words = prose(*note, child(pointer, "note"), "a sentence for readers, or null", /*may_be_empty=*/true)) {
        claim.note = *words;
      } else {
        ok = false;
      }
    }
    constexpr std::string_view kChecks = "an array of checks, such as [{\"check\": \"faster\", ...}]";
    if (const Json* checks = check_.require(value, pointer, "checks", kChecks)) {
      std::string checks_pointer = child(pointer, "checks");
      if (!check_.is_type(*checks, checks_pointer, checks->is_array(), kChecks)) {
        ok = false;
      } else if (checks->empty()) {
        check_.add(checks_pointer, "is empty (expected at least one check: a claim needs a measurement that tests it)");
        ok = false;
      } else if (checks->size() > kMaxChecks) {
        check_.add(checks_pointer, "has " + std::to_string(checks->size()) + " checks (expected at most 16)");
        ok = false;
      } else {
        for (size_t i = 0; i < checks->size(); ++i) {
          auto parsed = one_check((*checks)[i], child(checks_pointer, i));
          if (parsed) {
            claim.checks.push_back(std::move(*parsed));
          } else {
            ok = false;
          }
        }
      }
    } else {
      ok = false;
    }
    if (!ok) return std::nullopt;
    return claim;
  }

 private:
  std::optional<std::string> prose(const Json& value, const std::string& pointer, std::string_view expected,
                                   bool may_be_empty = false) {
    auto text = check_.string_value(value, pointer, expected);
    if (!text) return std::nullopt;
    if (!may_be_empty && text->find_first_not_of(" \t\r\n") == std::string::npos) {
      check_.add(pointer, "is empty (expected " + std::string(expected) + ")");
      return std::nullopt;
    }
    if (text->size() > kMaxClaimText) {
      check_.add(pointer, "has " + std::to_string(text->size()) + " characters (expected at most 2000)");
      return std::nullopt;
    }
    return text;
  }

  // A variant name that must be one of the scenario's variants.
  std::optional<std::string> variant_name(const Json& object, const std::string& pointer, std::string_view key,
                                          std::string_view expected) {
    const Json* value = check_.require(object, pointer, key, expected);
    if (value == nullptr) return std::nullopt;
    std::string key_pointer = child(pointer, key);
    auto name = check_.string_value(*value, key_pointer, expected);
    if (!name) return std::nullopt;
    if (variants_ != nullptr && !contains(*variants_, *name)) {
      check_.add(key_pointer, unknown_choice("variant", *name, *variants_) + "; a check names a variant of /variants");
      return std::nullopt;
    }
    return name;
  }

  std::optional<std::string> metric(const Json& object, const std::string& pointer, CheckType type) {
    const bool timed = type == CheckType::Faster;
    const auto& allowed = timed ? time_metric_ids() : exact_metric_ids();
    const auto& other = timed ? exact_metric_ids() : time_metric_ids();
    std::string expected = (timed ? "a time metric: " : "an exact metric: ") + join_codes(allowed);
    const Json* value = timed ? Checker::find(object, "metric") : check_.require(object, pointer, "metric", expected);
    if (value == nullptr) return timed ? std::optional<std::string>("wall_s") : std::nullopt;
    std::string metric_pointer = child(pointer, "metric");
    auto name = check_.string_value(*value, metric_pointer, expected);
    if (!name) return std::nullopt;
    if (contains(allowed, *name)) return name;
    if (contains(other, *name)) {
      check_.add(metric_pointer, code(*name) + (timed ? " is an exact metric, which `faster` does not compare (expected " +
                                                            expected + "; use `less` for bytes and counts)"
                                                      : " is a time metric, which `" + std::string(check_type_name(type)) +
                                                            "` does not compare (expected " + expected +
                                                            "; use `faster` for times)"));
    } else {
      check_.add(metric_pointer, unknown_choice("metric", *name, allowed));
    }
    return std::nullopt;
  }

  std::optional<ClaimCheck> one_check(const Json& value, const std::string& pointer) {
    std::string shape = "{\"check\": one of " + join_codes(check_names()) + ", \"variant\": ..., \"kind\": ...}";
    if (!check_.is_type(value, pointer, value.is_object(), shape)) return std::nullopt;
    const Json* name_value = check_.require(value, pointer, "check", "one of: " + join_codes(check_names()));
    if (name_value == nullptr) return std::nullopt;
    auto name = check_.choice(*name_value, child(pointer, "check"), "check", check_names());
    if (!name) return std::nullopt;
    ClaimCheck parsed;
    parsed.type = kCheckTypes[std::find(check_names().begin(), check_names().end(), *name) - check_names().begin()];
    check_.unknown_keys(value, pointer, keys_of(parsed.type));
    bool ok = true;

    if (auto variant = variant_name(value, pointer, "variant", "the name of the variant the claim is about")) {
      parsed.variant = *variant;
    } else {
      ok = false;
    }
    if (parsed.type == CheckType::Faster || parsed.type == CheckType::Less) {
      if (auto than = variant_name(value, pointer, "than", "the name of the variant to compare with")) {
        if (*than == parsed.variant) {
          check_.add(child(pointer, "than"), code(*than) + " is the variant itself (expected another variant to compare with)");
          ok = false;
        }
        parsed.than = *than;
      } else {
        ok = false;
      }
    }
    constexpr std::string_view kKind = "a build kind of /build_kinds, such as `code-change`";
    if (const Json* kind = check_.require(value, pointer, "kind", kKind)) {
      std::string kind_pointer = child(pointer, "kind");
      if (auto label = check_.string_value(*kind, kind_pointer, kKind)) {
        if (kinds_ != nullptr && !contains(*kinds_, *label)) {
          check_.add(kind_pointer, unknown_choice("build kind", *label, *kinds_) + "; a check names a build kind of /build_kinds");
          ok = false;
        } else {
          parsed.kind = *label;
        }
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (parsed.type != CheckType::CachedUntil) {
      if (auto id = metric(value, pointer, parsed.type)) {
        parsed.metric = *id;
      } else {
        ok = false;
      }
    } else {
      parsed.metric.clear();
    }
    switch (parsed.type) {
      case CheckType::Faster:
        if (const Json* ratio = Checker::find(value, "holds_at_most"); ratio != nullptr && !ratio->is_null()) {
          std::string ratio_pointer = child(pointer, "holds_at_most");
          constexpr std::string_view kRatio =
              "a ratio of medians above 0 and at most 1, such as 0.5 for \"takes at most half the time\", or null";
          if (!check_.is_type(*ratio, ratio_pointer, ratio->is_number(), kRatio)) {
            ok = false;
          } else if (double number = ratio->get<double>(); !(number > 0.0 && number <= 1.0)) {
            check_.add(ratio_pointer, "is " + ratio->dump() + " (expected " + std::string(kRatio) + ")");
            ok = false;
          } else {
            parsed.holds_at_most = number;
          }
        }
        break;
      case CheckType::CachedUntil: {
        constexpr std::string_view kStep =
            "the start of the last step that stays cached, as in the Dockerfile, such as `RUN go mod download`";
        if (const Json* step = check_.require(value, pointer, "last_cached_step", kStep)) {
          std::string step_pointer = child(pointer, "last_cached_step");
          if (auto text = check_.string_value(*step, step_pointer, kStep)) {
            if (text->find_first_not_of(" \t") == std::string::npos || text->find('\n') != std::string::npos ||
                text->size() > 500) {
              check_.add(step_pointer, code(*text) + " is not one line of a Dockerfile instruction (expected " +
                                           std::string(kStep) + ")");
              ok = false;
            } else {
              parsed.last_cached_step = *text;
            }
          } else {
            ok = false;
          }
        } else {
          ok = false;
        }
        break;
      }
      case CheckType::AtMost: {
        constexpr std::string_view kValue = "a number in the metric's unit, bytes or requests, from 0 to 1e15";
        if (const Json* limit = check_.require(value, pointer, "value", kValue)) {
          std::string limit_pointer = child(pointer, "value");
          if (!check_.is_type(*limit, limit_pointer, limit->is_number(), kValue)) {
            ok = false;
          } else if (double number = limit->get<double>(); !(number >= 0.0 && number <= kMaxAtMostValue)) {
            check_.add(limit_pointer, "is " + limit->dump() + " (expected " + std::string(kValue) + ")");
            ok = false;
          } else {
            parsed.value = number;
          }
        } else {
          ok = false;
        }
        break;
      }
      case CheckType::Less:
        break;
    }
    if (!ok) return std::nullopt;
    return parsed;
  }

  Checker& check_;
  const std::vector<std::string>* variants_;
  const std::vector<std::string>* kinds_;
};

}  // namespace

std::string_view check_type_name(CheckType type) {
  for (size_t i = 0; i < std::size(kCheckTypes); ++i) {
    if (kCheckTypes[i] == type) return check_names()[i];
  }
  return "unknown";
}

const std::vector<std::string>& time_metric_ids() {
  static const std::vector<std::string> ids = {"wall_s", "daemon_span_s", "context_transfer_s",
                                                 "dependency_download_s"};
  return ids;
}

const std::vector<std::string>& exact_metric_ids() {
  static const std::vector<std::string> ids = {"context_bytes", "proxy_bytes", "proxy_requests", "image_size"};
  return ids;
}

nlohmann::ordered_json claims_to_json(const std::vector<Claim>& claims) {
  Json out = Json::array();
  for (const auto& claim : claims) {
    Json checks = Json::array();
    for (const auto& c : claim.checks) {
      Json check;
      check["check"] = check_type_name(c.type);
      check["variant"] = c.variant;
      if (c.type == CheckType::Faster || c.type == CheckType::Less) check["than"] = c.than;
      check["kind"] = c.kind;
      if (c.type != CheckType::CachedUntil) check["metric"] = c.metric;
      if (c.type == CheckType::Faster) check["holds_at_most"] = c.holds_at_most ? Json(*c.holds_at_most) : Json(nullptr);
      if (c.type == CheckType::CachedUntil) check["last_cached_step"] = c.last_cached_step;
      if (c.type == CheckType::AtMost) check["value"] = c.value;
      checks.push_back(std::move(check));
    }
    out.push_back(Json{{"id", claim.id}, {"text", claim.text}, {"note", claim.note}, {"checks", std::move(checks)}});
  }
  return out;
}

ClaimsOutcome parse_claims(const nlohmann::ordered_json& value, const std::string& pointer,
                           const std::vector<std::string>* variants, const std::vector<std::string>* kinds) {
  ClaimsOutcome outcome;
  Checker check{std::filesystem::path()};
  constexpr std::string_view kClaims = "an array of claims, each {\"id\": ..., \"text\": ..., \"checks\": [...]}";
  if (!check.is_type(value, pointer, value.is_array(), kClaims)) {
    outcome.problems = std::move(check.problems());
    return outcome;
  }
  if (value.size() > kMaxClaims) {
    check.add(pointer, "has " + std::to_string(value.size()) + " claims (expected at most 64)");
    outcome.problems = std::move(check.problems());
    return outcome;
  }
  ClaimReader reader(check, variants, kinds);
  std::map<std::string, size_t> ids;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string claim_pointer = child(pointer, i);
    auto claim = reader.claim(value[i], claim_pointer);
    if (!claim) continue;
    auto [it, inserted] = ids.emplace(claim->id, i);
    if (!inserted) {
      check.add(child(claim_pointer, "id"), code(claim->id) + " is already the id of " + child(pointer, it->second) +
                                                " (expected unique claim ids)");
      continue;
    }
    outcome.claims.push_back(std::move(*claim));
  }
  outcome.problems = std::move(check.problems());
  return outcome;
}

}  // namespace buildbench::scenario
