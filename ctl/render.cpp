#include "ctl/render.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include "status/liveness.h"

namespace supd::ctl {
namespace {

constexpr std::string_view kReset = "\x1b[0m";

std::string two_digits(unsigned value) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "%02u", value % 100);
  return buf.data();
}

std::string pad_right(const std::string& text, std::size_t width) {
  const std::size_t shown = display_width(text);
  return shown >= width ? text : text + std::string(width - shown, ' ');
}

std::string_view health_colour(std::string_view health) {
  if (health == "ok") return "\x1b[32m";
  if (health == "failing") return "\x1b[31m";
  return "";
}

std::string uptime_cell(const ServiceRow& row, const TableOptions& options) {
  if (!options.live || row.state != "running" || row.since <= 0) return "-";
  return format_uptime(options.now - row.since);
}

}  // namespace

std::string format_uptime(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  struct Unit {
    std::int64_t seconds;
    char suffix;
  };
  constexpr std::array<Unit, 4> kUnits{{{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
  for (std::size_t i = 0; i < kUnits.size(); ++i) {
    if (seconds < kUnits[i].seconds && i + 1 < kUnits.size()) continue;
    const std::int64_t major = seconds / kUnits[i].seconds;
    std::string text = std::to_string(major) + kUnits[i].suffix;
    if (i + 1 < kUnits.size()) {
      const std::int64_t minor = (seconds % kUnits[i].seconds) / kUnits[i + 1].seconds;
      if (minor != 0) text += std::to_string(minor) + kUnits[i + 1].suffix;
    }
    return text;
  }
  return "0s";
}

std::string format_utc(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds(unix_seconds)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{t - day};
  return std::to_string(static_cast<int>(ymd.year())) + "-" +
         two_digits(static_cast<unsigned>(ymd.month())) + "-" +
         two_digits(static_cast<unsigned>(ymd.day())) + " " +
         two_digits(static_cast<unsigned>(hms.hours().count())) + ":" +
         two_digits(static_cast<unsigned>(hms.minutes().count())) + ":" +
         two_digits(static_cast<unsigned>(hms.seconds().count())) + " UTC";
}

bool use_colour(bool stdout_is_terminal, const char* no_color) {
  return stdout_is_terminal && (no_color == nullptr || *no_color == '\0');
}

std::string_view state_colour(std::string_view state) {
  if (state == "running") return "\x1b[32m";
  if (state == "starting" || state == "stopping" || state == "backoff") return "\x1b[33m";
  if (state == "fatal") return "\x1b[31m";
  if (state == "stopped" || state == "exited") return "\x1b[2m";
  return "";
}

std::size_t display_width(std::string_view text) {
  // Continuation bytes (10xxxxxx) do not start a character.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<std::string> table_lines(const std::vector<ServiceRow>& rows,
                                     const TableOptions& options) {
  const bool with_health = std::any_of(rows.begin(), rows.end(),
                                       [](const ServiceRow& row) { return !row.health.empty(); });
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST-EXIT"});
  if (with_health) cells.front().push_back("HEALTH");
  for (const ServiceRow& row : rows) {
    std::vector<std::string> line = {
        row.name,
        row.state,
        // A pid shown is a claim that the process exists: not when supd is gone.
        row.pid > 0 && options.live ? std::to_string(row.pid) : "-",
        uptime_cell(row, options),
        std::to_string(row.restarts),
        row.last_exit.empty() ? "-" : row.last_exit,
    };
    // The last probe's verdict only means something while the service runs.
    const bool probed = !row.health.empty() && options.live && row.state == "running";
    if (with_health) line.push_back(probed ? row.health : "-");
    cells.push_back(std::move(line));
  }

  std::vector<std::size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(line[c]));
    }
  }

  constexpr std::size_t kStateColumn = 1;
  constexpr std::size_t kHealthColumn = 6;
  std::vector<std::string> out;
  out.reserve(cells.size());
  for (std::size_t r = 0; r < cells.size(); ++r) {
    std::string text;
    for (std::size_t c = 0; c < cells[r].size(); ++c) {
      const bool last = c + 1 == cells[r].size();
      const std::string& cell = cells[r][c];
      std::string shown = last ? cell : pad_right(cell, widths[c]);
      std::string_view colour;
      if (options.colour && r > 0) {
        if (c == kStateColumn) colour = state_colour(cell);
        if (c == kHealthColumn) colour = health_colour(cell);
      }
      if (!colour.empty()) {
        // Colour the word only, so the padding after it stays plain.
        std::string painted(colour);
        painted += cell;
        painted += kReset;
        painted += shown.substr(cell.size());
        shown = std::move(painted);
      }
      text += shown;
      if (!last) text += "  ";
    }
    out.push_back(std::move(text));
  }
  return out;
}

std::string render_table(const std::vector<ServiceRow>& rows, const TableOptions& options) {
  std::string text;
  for (const std::string& line : table_lines(rows, options)) text += line + "\n";
  return text;
}

nlohmann::ordered_json status_json(const StatusView& view, const std::vector<ServiceRow>& rows) {
  using nlohmann::ordered_json;
  ordered_json out = ordered_json::object();
  ordered_json daemon = ordered_json::object();
  daemon["pid"] = view.daemon.pid > 0 ? ordered_json(view.daemon.pid) : ordered_json(nullptr);
  daemon["state"] = status::liveness_name(view.daemon.liveness);
  daemon["since"] = view.daemon.since;
  out["daemon"] = std::move(daemon);

  ordered_json services = ordered_json::array();
  for (const ServiceRow& row : rows) {
    ordered_json s = ordered_json::object();
    s["name"] = row.name;
    s["state"] = row.state;
    s["pid"] = row.pid > 0 ? ordered_json(row.pid) : ordered_json(nullptr);
    s["since"] = row.since;
    s["restarts"] = row.restarts;
    s["last_exit"] = row.last_exit;
    s["exit_code"] = row.exit_code ? ordered_json(*row.exit_code) : ordered_json(nullptr);
    s["signal"] = row.signal.empty() ? ordered_json(nullptr) : ordered_json(row.signal);
    s["health"] = row.health.empty() ? ordered_json(nullptr) : ordered_json(row.health);
    services.push_back(std::move(s));
  }
  out["services"] = std::move(services);

  if (view.last_crash) {
    const CrashRow& c = *view.last_crash;
    std::array<char, 32> address{};
    std::snprintf(address.data(), address.size(), "0x%llx",
                  static_cast<unsigned long long>(c.address));
    ordered_json crash = ordered_json::object();
    crash["time"] = c.time;
    crash["pid"] = c.pid > 0 ? ordered_json(c.pid) : ordered_json(nullptr);
    crash["signal"] = c.signal;
    crash["address"] = address.data();
    crash["text"] = c.text;
    crash["previous_run"] = c.previous_run;
    out["last_crash"] = std::move(crash);
  }
  return out;
}

std::string daemon_notice(const DaemonRow& daemon, std::int64_t now_ms) {
  constexpr std::string_view kTail = "; showing its last known state";
  switch (daemon.liveness) {
    case status::DaemonLiveness::Running:
      return "";
    case status::DaemonLiveness::NotResponding: {
      std::string text = "supd is not responding (pid " + std::to_string(daemon.pid);
      if (daemon.heartbeat_ms > 0) {
        text += ", no heartbeat for " + format_uptime((now_ms - daemon.heartbeat_ms) / 1000);
      }
      return text + ")" + std::string(kTail);
    }
    case status::DaemonLiveness::NotRunning:
      break;
  }
  std::string why;
  switch (daemon.gone) {
    case DaemonGone::Stopped:
      why = "it shut down";
      break;
    case DaemonGone::Crashed:
      why = "it crashed";
      break;
    case DaemonGone::NeverStarted:
      why = "it never finished starting";
      break;
    case DaemonGone::PidGone:
    case DaemonGone::No:
      why = "pid " + std::to_string(daemon.pid) + " is gone";
      break;
  }
  return "supd is not running (" + why + ")" + std::string(kTail);
}

std::optional<std::string> crash_line(const StatusView& view) {
  if (!view.last_crash) return std::nullopt;
  const CrashRow& c = *view.last_crash;
  if (!c.previous_run && !c.this_run) return std::nullopt;
  std::array<char, 32> address{};
  std::snprintf(address.data(), address.size(), "0x%llx",
                static_cast<unsigned long long>(c.address));
  std::string text =
      "supd crashed at " + format_utc(c.time) + ": " + c.signal + " at " + address.data() + " (";
  if (c.previous_run && !c.this_run) text += "previous run, ";
  text += "pid " + std::to_string(c.pid) + ")";
  return text;
}

std::string event_line(const nlohmann::json& event) {
  if (!event.is_object()) {
    return event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const char* key : {"time", "service", "from", "to", "pid", "reason"}) {
    if (auto it = event.find(key); it != event.end()) out[key] = *it;
  }
  for (auto it = event.begin(); it != event.end(); ++it) {
    if (!out.contains(it.key())) out[it.key()] = it.value();
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace supd::ctl
