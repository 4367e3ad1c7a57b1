#include "supervisor/events.h"

#include <algorithm>

#include "supervisor/overloaded.h"

namespace supd::supervisor {

std::string ExitInfo::describe() const {
  if (!signaled) return "exited " + std::to_string(code);
  std::string text = "killed by " + (signal_name.empty() ? std::string("a signal") : signal_name);
  if (core_dumped) text += " (core dumped)";
  return text;
}

bool ExitInfo::success(const std::vector<int>& success_codes) const {
  return !signaled &&
         std::find(success_codes.begin(), success_codes.end(), code) != success_codes.end();
}

std::string to_string(const Event& event) {
  auto with = [](const char* name, const std::string& detail) {
    return std::string(name) + "{" + detail + "}";
  };
  return std::visit(
      Overloaded{
          [&](const Start& e) { return with("Start", e.reason); },
          [&](const Stop& e) { return with("Stop", e.reason); },
          [&](const Restart& e) { return with("Restart", e.reason); },
          [&](const Spawned& e) { return with("Spawned", std::to_string(e.pid)); },
          [&](const SpawnFailed& e) { return with("SpawnFailed", e.message); },
          [&](const Exited& e) {
            return with("Exited", e.info.describe() + (e.group_alive ? ", group alive" : ""));
          },
          [&](const GroupEmpty&) { return with("GroupEmpty", ""); },
          [&](const TimerFired& e) { return with("TimerFired", std::to_string(e.generation)); },
          [&](const ReadyNotified&) { return with("ReadyNotified", ""); },
          [&](const WatchdogPing&) { return with("WatchdogPing", ""); },
          [&](const HealthResult& e) { return with("HealthResult", e.ok ? "ok" : "failed"); },
          [&](const DependenciesChanged& e) { return with("DependenciesChanged", e.waiting_for); },
      },
      event);
}

}  // namespace supd::supervisor
