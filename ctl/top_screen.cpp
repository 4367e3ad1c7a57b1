#include "ctl/top_screen.h"

#include <array>

#include "ctl/render.h"

namespace supd::ctl {

std::string state_counts(const std::vector<ServiceRow>& rows) {
  constexpr std::array<std::string_view, 7> kOrder = {"running", "starting", "stopping", "backoff",
                                                      "exited",  "stopped",  "fatal"};
  std::string text = std::to_string(rows.size()) + (rows.size() == 1 ? " service" : " services");
  const char* separator = ": ";
  for (std::string_view state : kOrder) {
    std::size_t n = 0;
    for (const ServiceRow& row : rows) n += row.state == state ? 1 : 0;
    if (n == 0) continue;
    text += separator + std::to_string(n) + " " + std::string(state);
    separator = ", ";
  }
  return text;
}

std::string top_header(const StatusView& view, std::int64_t now_ms) {
  std::string text = "supd " + std::string(status::liveness_name(view.daemon.liveness));
  if (view.daemon.pid > 0) text += "  pid " + std::to_string(view.daemon.pid);
  if (view.daemon.liveness != status::DaemonLiveness::NotRunning && view.daemon.since > 0) {
    text += "  up " + format_uptime(now_ms / 1000 - view.daemon.since);
  }
  text += "    " + state_counts(view.services);
  text += "    " + format_utc(now_ms / 1000);
  return text;
}

std::string fit_width(std::string_view line, int columns) {
  std::string out;
  std::size_t shown = 0;
  const std::size_t limit = columns > 0 ? static_cast<std::size_t>(columns) : 0;
  bool coloured = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\x1b') {
      // Copy a whole CSI sequence: ESC [ ... final byte (@ to ~).
      std::size_t end = i + 1;
      if (end < line.size() && line[end] == '[') {
        ++end;
        while (end < line.size() && !(line[end] >= '@' && line[end] <= '~')) ++end;
      }
      end = std::min(end + 1, line.size());
      const std::string_view sequence = line.substr(i, end - i);
      out.append(sequence);
      coloured = sequence != "\x1b[0m" && sequence != "\x1b[m";
      i = end - 1;
      continue;
    }
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char) {
      if (shown == limit) {
        if (coloured) out += "\x1b[0m";
        return out;
      }
      ++shown;
    }
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> render_top(const TopFrame& frame) {
  std::vector<std::string> lines;
  if (frame.rows <= 0) return lines;
  if (frame.view == nullptr) {
    lines.push_back("supd: " + frame.problem);
  } else {
    const StatusView& view = *frame.view;
    lines.push_back(top_header(view, frame.now_ms));
    if (std::string notice = daemon_notice(view.daemon, frame.now_ms); !notice.empty()) {
      lines.push_back(notice);
    }
    if (auto crash = crash_line(view)) lines.push_back(*crash);
    lines.emplace_back();
    TableOptions table;
    table.colour = frame.colour;
    table.now = frame.now_ms / 1000;
    table.live = view.daemon.liveness != status::DaemonLiveness::NotRunning;
    for (std::string& line : table_lines(view.services, table)) lines.push_back(std::move(line));
  }

  // The last row is for the key hint; past the room left, one line says what was left out.
  const std::size_t room = static_cast<std::size_t>(frame.rows) - 1;
  if (lines.size() > room) {
    const std::size_t kept = room > 0 ? room - 1 : 0;
    const std::size_t hidden = lines.size() - kept;
    lines.resize(kept);
    if (room > 0) lines.push_back("... " + std::to_string(hidden) + " more lines");
  }
  lines.push_back("q: quit");
  for (std::string& line : lines) line = fit_width(line, frame.columns);
  return lines;
}

}  // namespace supd::ctl
