// What `supctl status` and `supctl top` show, whichever way it was learnt: from the status
// page (the usual way: no round trip, works while supd is hung or gone) or from the daemon's
// `status` answer (when there is no page to read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "os/result.h"
#include "status/liveness.h"
#include "status/service_status.h"

namespace supd::ctl {

struct ServiceRow {
  std::string name;
  std::string state;       // "running" ...
  std::int64_t pid = 0;    // 0: no process
  std::int64_t since = 0;  // unix seconds the service entered `state`
  std::uint32_t restarts = 0;
  std::string last_exit;  // "" = none
  std::optional<int> exit_code;
  std::string signal;  // "SIGSEGV"; "" = none
  std::string health;  // "ok" "failing" ...; "" = no probe

  bool operator==(const ServiceRow&) const = default;
};

struct CrashRow {
  std::int64_t time = 0;  // unix seconds
  std::int64_t pid = 0;
  int signo = 0;
  std::string signal;  // "SIGSEGV"
  std::uint64_t address = 0;
  std::string text;
  bool previous_run = false;  // the supd before the page's current one crashed
  bool this_run = false;      // the page's own supd crashed (it is gone)
};

// Why the daemon is judged as it is, for the line shown before the table.
enum class DaemonGone {
  No,
  Stopped,       // it stopped cleanly
  Crashed,       // it recorded its own crash
  PidGone,       // its process no longer exists
  NeverStarted,  // it never recorded its pid
};

struct DaemonRow {
  std::int64_t pid = 0;  // 0: unknown
  status::DaemonLiveness liveness = status::DaemonLiveness::Running;
  std::int64_t since = 0;         // unix seconds supd started
  std::int64_t heartbeat_ms = 0;  // its last heartbeat (page only); 0 = unknown
  DaemonGone gone = DaemonGone::No;
};

struct StatusView {
  DaemonRow daemon;
  std::vector<ServiceRow> services;
  std::optional<CrashRow> last_crash;
  bool from_page = false;
  std::string source;  // the page's path, or the socket's
};

// A page's snapshot, with supd judged as `liveness` (status::judge).
StatusView view_from_snapshot(const status::Snapshot& snapshot, status::DaemonLiveness liveness);

// The daemon's answer to `status` ({"daemon": {...}, "services": [...]}); an error names what
// is missing when the answer has another shape.
os::Result<StatusView> view_from_answer(const nlohmann::json& result, const std::string& source);

// The rows `names` ask for, in the order asked (all rows, in page order, when `names` is
// empty); or the first name that matches no service.
struct Selection {
  std::vector<ServiceRow> rows;
  std::optional<std::string> missing;
  std::optional<std::string> did_you_mean;  // for `missing`
};
Selection select_services(const StatusView& view, const std::vector<std::string>& names);

// 0, or kExitNotRunning: a named service is not running (none is, when supd is gone), or,
// with no names, some service is backoff or fatal (or, with supd gone, was not at rest).
int status_exit_code(const StatusView& view, const std::vector<ServiceRow>& rows, bool named);

}  // namespace supd::ctl
