// Durations as the config writes them: "250ms", "10s", "5m", "1h", compounds such as "1m30s",
// decimals such as "1.5s", or a bare number of seconds ("30", "0.5").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/model.h"

namespace supd::config {

// nullopt for anything else: negative values, other units, spaces, values that are not a whole
// number of milliseconds ("0.1ms"), or beyond what a Duration holds.
std::optional<Duration> parse_duration(std::string_view text);

// The shortest exact form in one unit: 90000ms -> "90s", 300000ms -> "5m", 1500ms -> "1500ms".
// parse_duration(format_duration(d)) == d.
std::string format_duration(Duration d);

}  // namespace supd::config
