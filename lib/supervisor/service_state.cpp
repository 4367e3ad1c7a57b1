#include "supervisor/service_state.h"

namespace supd::supervisor {

const char* to_string(State s) {
  switch (s) {
    case State::Stopped:
      return "stopped";
    case State::Starting:
      return "starting";
    case State::Running:
      return "running";
    case State::Stopping:
      return "stopping";
    case State::Backoff:
      return "backoff";
    case State::Exited:
      return "exited";
    case State::Fatal:
      return "fatal";
  }
  return "unknown";
}

std::optional<State> parse_state(std::string_view text) {
  for (State s : kAllStates) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

bool is_at_rest(State s) {
  switch (s) {
    case State::Stopped:
    case State::Exited:
    case State::Fatal:
      return true;
    case State::Starting:
    case State::Running:
    case State::Stopping:
    case State::Backoff:
      return false;
  }
  return false;
}

}  // namespace supd::supervisor
