// ISO-8601 UTC timestamps with milliseconds, as log lines carry them.
#pragma once

#include <chrono>
#include <cstddef>

namespace supd::logs {

// "2026-11-22T01:02:03.456Z"
inline constexpr std::size_t kTimestampSize = 24;

// Writes exactly kTimestampSize characters (no terminating NUL) to `out`.
void format_timestamp(std::chrono::system_clock::time_point t, char* out);

}  // namespace supd::logs
