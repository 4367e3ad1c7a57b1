#include "supervisor/actions.h"

#include <chrono>

#include "supervisor/overloaded.h"

namespace supd::supervisor {

std::string to_string(const Action& action) {
  return std::visit(Overloaded{
                        [](const Spawn&) -> std::string { return "Spawn{}"; },
                        [](const SignalGroup& a) -> std::string {
                          return std::string("SignalGroup{") + to_string(a.signal) + "}";
                        },
                        [](const KillGroup&) -> std::string { return "KillGroup{}"; },
                        [](const ArmTimer& a) -> std::string {
                          auto ms =
                              std::chrono::duration_cast<Duration>(a.deadline.time_since_epoch());
                          return "ArmTimer{" + std::to_string(ms.count()) + "ms, generation " +
                                 std::to_string(a.generation) + "}";
                        },
                        [](const CancelTimer&) -> std::string { return "CancelTimer{}"; },
                        [](const StartReadyProbe&) -> std::string { return "StartReadyProbe{}"; },
                        [](const StopReadyProbe&) -> std::string { return "StopReadyProbe{}"; },
                        [](const StartHealthProbe&) -> std::string { return "StartHealthProbe{}"; },
                        [](const StopHealthProbe&) -> std::string { return "StopHealthProbe{}"; },
                        [](const Publish& a) -> std::string {
                          return std::string("Publish{") + to_string(a.from) + " -> " +
                                 to_string(a.to) + ": " + a.reason + "}";
                        },
                    },
                    action);
}

}  // namespace supd::supervisor
