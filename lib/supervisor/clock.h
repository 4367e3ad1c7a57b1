// Time as the supervisor sees it. The supervisor never reads a clock: every call that needs
// the time takes `now`, so tests drive it with a hand-advanced fake and the daemon passes
// Clock::now().
#pragma once

#include <chrono>
#include <string>

namespace supd::supervisor {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::milliseconds;

// A duration the way a person writes it: 1h, 5m, 30s, 250ms, 1m30s, 1.5s, 0s.
std::string format_duration(Duration d);

}  // namespace supd::supervisor
