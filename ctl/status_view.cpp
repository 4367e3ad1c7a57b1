#include "ctl/status_view.h"

#include <algorithm>

#include "config/suggest.h"
#include "ctl/exit_codes.h"
#include "os/signals.h"

namespace supd::ctl {
namespace {

os::Error plain_error(std::string what) { return os::Error{std::error_code(), std::move(what)}; }

DaemonGone why_gone(const status::Snapshot& snapshot, status::DaemonLiveness liveness) {
  if (liveness != status::DaemonLiveness::NotRunning) return DaemonGone::No;
  if (snapshot.crashed) return DaemonGone::Crashed;
  if (snapshot.daemon.state == status::DaemonState::Stopped) return DaemonGone::Stopped;
  if (snapshot.daemon.pid <= 0) return DaemonGone::NeverStarted;
  return DaemonGone::PidGone;
}

ServiceRow row_from_status(const status::ServiceStatus& s) {
  ServiceRow row;
  row.name = s.name;
  row.state = status::state_name(s.state);
  row.pid = s.pid;
  row.since = s.since;
  row.restarts = s.restarts;
  row.last_exit = s.last_exit;
  row.exit_code = s.exit_code;
  row.signal = s.signal;
  if (s.health != status::Health::None) row.health = status::health_name(s.health);
  return row;
}

template <class T>
T number_or(const nlohmann::json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  return it->get<T>();
}

std::string text_or_empty(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

StatusView view_from_snapshot(const status::Snapshot& snapshot, status::DaemonLiveness liveness) {
  StatusView view;
  view.from_page = true;
  view.source = snapshot.path;
  view.daemon.pid = snapshot.daemon.pid;
  view.daemon.liveness = liveness;
  view.daemon.since = snapshot.daemon.start_time;
  view.daemon.heartbeat_ms = snapshot.daemon.heartbeat_ms;
  view.daemon.gone = why_gone(snapshot, liveness);
  view.services.reserve(snapshot.services.size());
  for (const status::ServiceStatus& s : snapshot.services) {
    view.services.push_back(row_from_status(s));
  }
  if (snapshot.last_crash) {
    const status::CrashInfo& c = *snapshot.last_crash;
    CrashRow crash;
    crash.time = c.time;
    crash.pid = c.pid;
    crash.signo = c.signo;
    crash.signal = os::native_signal_name(c.signo);
    crash.address = c.fault_address;
    crash.text = c.text;
    crash.previous_run = snapshot.previous_run_crashed;
    crash.this_run = snapshot.crashed;
    view.last_crash = std::move(crash);
  }
  return view;
}

os::Result<StatusView> view_from_answer(const nlohmann::json& result, const std::string& source) {
  if (!result.is_object()) return plain_error("supd's status answer is not an object");
  auto services = result.find("services");
  if (services == result.end() || !services->is_array()) {
    return plain_error("supd's status answer has no \"services\" list");
  }
  StatusView view;
  view.source = source;
  // It answered: it is running, whatever else it says.
  view.daemon.liveness = status::DaemonLiveness::Running;
  if (auto d = result.find("daemon"); d != result.end() && d->is_object()) {
    view.daemon.pid = number_or<std::int64_t>(*d, "pid", 0);
    view.daemon.since = number_or<std::int64_t>(*d, "since", 0);
  }
  for (const nlohmann::json& s : *services) {
    if (!s.is_object()) {
      return plain_error("supd's status answer lists a service that is not an object");
    }
    ServiceRow row;
    row.name = text_or_empty(s, "name");
    row.state = text_or_empty(s, "state");
    if (row.name.empty() || row.state.empty()) {
      return plain_error("supd's status answer lists a service without a name or state");
    }
    row.pid = number_or<std::int64_t>(s, "pid", 0);
    row.since = number_or<std::int64_t>(s, "since", 0);
    row.restarts = number_or<std::uint32_t>(s, "restarts", 0);
    row.last_exit = text_or_empty(s, "last_exit");
    if (auto code = s.find("exit_code"); code != s.end() && code->is_number_integer()) {
      row.exit_code = code->get<int>();
    }
    row.signal = text_or_empty(s, "signal");
    row.health = text_or_empty(s, "health");
    if (row.health == "none") row.health.clear();
    view.services.push_back(std::move(row));
  }
  return view;
}

Selection select_services(const StatusView& view, const std::vector<std::string>& names) {
  Selection selection;
  if (names.empty()) {
    selection.rows = view.services;
    return selection;
  }
  for (const std::string& name : names) {
    auto it = std::find_if(view.services.begin(), view.services.end(),
                           [&](const ServiceRow& row) { return row.name == name; });
    if (it == view.services.end()) {
      std::vector<std::string> known;
      known.reserve(view.services.size());
      for (const ServiceRow& row : view.services) known.push_back(row.name);
      selection.rows.clear();
      selection.missing = name;
      selection.did_you_mean = config::closest_match(name, known);
      return selection;
    }
    // A name given twice is shown once.
    if (std::none_of(selection.rows.begin(), selection.rows.end(),
                     [&](const ServiceRow& row) { return row.name == name; })) {
      selection.rows.push_back(*it);
    }
  }
  return selection;
}

int status_exit_code(const StatusView& view, const std::vector<ServiceRow>& rows, bool named) {
  const bool supd_gone = view.daemon.liveness == status::DaemonLiveness::NotRunning;
  for (const ServiceRow& row : rows) {
    if (named) {
      if (supd_gone || row.state != "running") return kExitNotRunning;
      continue;
    }
    if (row.state == "backoff" || row.state == "fatal") return kExitNotRunning;
    // Nothing supervises it any more: it is not where it was meant to be.
    if (supd_gone && row.state != "stopped" && row.state != "exited") return kExitNotRunning;
  }
  return kExitOk;
}

}  // namespace supd::ctl
