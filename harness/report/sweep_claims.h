#pragma once
// Claims across a sweep: the claims table judges each claim on the first
// series only; this judges every claim on every series (sweep value), so a
// report can say from which value of the swept parameter on a claim holds
// ("holds from dep_payload_bytes = 100 MB"). Each judgement is the ordinary
// evaluate_claims() on one series, so the same rules (significance, adaptive
// looks) apply at every value. Writers only format these results.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "report/claims.h"
#include "scenario/claims.h"

namespace buildbench::report {

struct ReportModel;

// A claim judged on one series.
struct SweepClaimPoint {
  std::string series;            // the series label, "dep_payload_bytes=10000000"
  std::string value;             // the value part of the label, "10000000"
  std::optional<double> number;  // the value as a number, when it is one
  ClaimResult result;            // the claim on this series alone
};

struct SweepClaim {
  scenario::Claim claim;
  std::string engine;     // the engine whose cells were judged (ReportModel::engines)
  std::string parameter;  // the swept parameter, from the series labels; "" when they name none
  // Ascending by value when every value is a number, else in sweep order.
  std::vector<SweepClaimPoint> points;
  // The claim's first `faster` check: its ratio of medians is what the
  // table and the figure show. Nothing for a claim without one.
  std::optional<size_t> ratio_check;
  // The first point from which on the claim holds at every later point;
  // nothing when the last point does not hold.
  std::optional<size_t> holds_from;
  // "holds from dep_payload_bytes = 100 MB (...)", or "does not reach
  // 'holds' in the swept range (...)".
  std::string sentence;

  // The ratio check's result at a point, if the claim has one.
  const CheckResult* ratio_at(size_t point) const;
};

// Every claim on every series, once per engine (engine-major, then the
// claims' order). Empty without a sweep or without claims.
std::vector<SweepClaim> evaluate_sweep_claims(const ReportModel& model, const std::vector<scenario::Claim>& claims,
                                              const ClaimOptions& options = {});

// A sweep value for people: bytes for a parameter whose name ends in
// "_bytes" ("100 MB"), else the value as written.
std::string sweep_value_words(const std::string& parameter, const std::string& value);

// The table claim x sweep value of one engine (report.md and report.html).
struct SweepClaimTable {
  std::string heading;                // "dep_payload_bytes", "dep_payload_bytes on 28.5"
  std::vector<std::string> columns;   // the sweep values in words, in point order
  struct Row {
    std::string id;
    std::vector<std::string> verdicts;  // per column: "holds", "does not hold", ...
    std::vector<std::string> ratios;    // per column: "0.420 (0.380 – 0.470)" or "-"
    std::vector<std::string> counts;    // per column: "n=5 per side"
    std::string sentence;
  };
  std::vector<Row> rows;
};
std::vector<SweepClaimTable> sweep_claim_tables(const ReportModel& model);

}  // namespace buildbench::report
