#pragma once
// Sanity checks of one sample against what its build kind promises: a warm
// build that is not fully cached, a cold build with cached steps, a change
// that reran nothing. They do not stop a run: they are recorded with the
// sample and shown, because they usually mean the measurement is not what
// the scenario meant to measure.
#include <string>
#include <vector>

#include "docker/build_record.h"
#include "scenario/scenario.h"

namespace buildbench::runner {

std::vector<std::string> sanity_warnings(const scenario::BuildKind& kind, const docker::BuildRecord& record);

// True for RUN, COPY and ADD steps: the ones that make content (a cold
// build must run them all).
bool changes_content(const std::string& step_name);

// "12.34 s" / "850 ms".
std::string fmt_seconds(double seconds);

}  // namespace buildbench::runner
