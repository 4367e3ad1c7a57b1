// One frame of `supctl top`, as lines that fit the terminal. Pure, so it can be tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/status_view.h"

namespace supd::ctl {

struct TopFrame {
  const StatusView* view = nullptr;  // null when the page could not be read
  std::string problem;               // why not, when view is null
  std::int64_t now_ms = 0;           // unix milliseconds
  int rows = 24;
  int columns = 80;
  bool colour = false;
};

// "3 services: 2 running, 1 backoff" (states in lifecycle order, only those present).
std::string state_counts(const std::vector<ServiceRow>& rows);

// The header line: supd's state, pid and uptime; the service counts; the time.
std::string top_header(const StatusView& view, std::int64_t now_ms);

// At most `rows` lines, none wider than `columns` characters (escape sequences do not count):
// the header, a line about supd when it is not running or crashed, the table, and a last
// line saying how many services did not fit.
std::vector<std::string> render_top(const TopFrame& frame);

// `line` cut to `columns` shown characters, escape sequences kept whole (and colour reset
// after a cut).
std::string fit_width(std::string_view line, int columns);

}  // namespace supd::ctl
