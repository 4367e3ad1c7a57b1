#include "status/service_status.h"

namespace supd::status {

const char* state_name(ServiceState state) {
  switch (state) {
    case ServiceState::Stopped:
      return "stopped";
    case ServiceState::Starting:
      return "starting";
    case ServiceState::Running:
      return "running";
    case ServiceState::Stopping:
      return "stopping";
    case ServiceState::Backoff:
      return "backoff";
    case ServiceState::Exited:
      return "exited";
    case ServiceState::Fatal:
      return "fatal";
  }
  return "unknown";
}

std::optional<ServiceState> parse_state(std::string_view name) {
  for (std::uint8_t i = 0; i < kServiceStateCount; ++i) {
    const auto state = static_cast<ServiceState>(i);
    if (name == state_name(state)) return state;
  }
  return std::nullopt;
}

const char* health_name(Health health) {
  switch (health) {
    case Health::None:
      return "none";
    case Health::Ok:
      return "ok";
    case Health::Failing:
      return "failing";
    case Health::Unknown:
      return "unknown";
  }
  return "unknown";
}

const char* daemon_state_name(DaemonState state) {
  switch (state) {
    case DaemonState::Starting:
      return "starting";
    case DaemonState::Running:
      return "running";
    case DaemonState::Stopping:
      return "stopping";
    case DaemonState::Stopped:
      return "stopped";
  }
  return "unknown";
}

}  // namespace supd::status
