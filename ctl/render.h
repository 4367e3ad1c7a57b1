// How supctl shows things: durations, times, the status table, the status JSON, the lines
// about supd itself, and event lines. Pure functions of their arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctl/status_view.h"

namespace supd::ctl {

// How long something has been up, in its two largest units: "5s" "3m12s" "2h5m" "3d4h".
// Negative durations (a clock set back) count as 0s.
std::string format_uptime(std::int64_t seconds);

// "2026-11-22 01:02:03 UTC"
std::string format_utc(std::int64_t unix_seconds);

// Colour only on a terminal, and never when NO_COLOR is set to anything but "" (no-color.org).
// `no_color` is getenv("NO_COLOR").
bool use_colour(bool stdout_is_terminal, const char* no_color);

// The ANSI colour of a state: green running, yellow starting/stopping/backoff, red fatal,
// dim stopped/exited; "" for anything else.
std::string_view state_colour(std::string_view state);

// Characters a terminal shows for UTF-8 `text` (code points; escape sequences not expected).
std::size_t display_width(std::string_view text);

struct TableOptions {
  bool colour = false;
  std::int64_t now = 0;  // unix seconds, for UPTIME
  bool live = true;      // false: supd is gone, so are its services: PID and UPTIME are "-"
};

// The table of SPEC.md: NAME STATE PID UPTIME RESTARTS LAST-EXIT, and HEALTH when any row
// has a probe (its verdict shown for running services); columns aligned, two spaces apart, no
// trailing spaces. One string per line, the header first, without newlines.
std::vector<std::string> table_lines(const std::vector<ServiceRow>& rows,
                                     const TableOptions& options);
// The same, each line ending in '\n'.
std::string render_table(const std::vector<ServiceRow>& rows, const TableOptions& options);

// `supctl status --json`: {"daemon": {"pid", "state", "since"}, "services": [...]} in SPEC.md's
// order, with "last_crash" when the page holds one.
nlohmann::ordered_json status_json(const StatusView& view, const std::vector<ServiceRow>& rows);

// The line shown before the table when supd is not running or not responding ("" when it
// runs): "supd is not running (pid 1234 is gone); showing its last known state".
std::string daemon_notice(const DaemonRow& daemon, std::int64_t now_ms);

// "supd crashed at 2026-11-22 01:02:03 UTC: SIGSEGV at 0x0 (previous run, pid 812)" when the
// page holds a crash of this supd or of the one before it; nullopt otherwise.
std::optional<std::string> crash_line(const StatusView& view);

// One `events` line: the event's fields in SPEC.md's order (time, service, from, to, pid,
// reason), then any others, compact, without a newline.
std::string event_line(const nlohmann::json& event);

}  // namespace supd::ctl
