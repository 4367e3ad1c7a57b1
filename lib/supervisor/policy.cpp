#include "supervisor/policy.h"

namespace supd::supervisor {

const char* to_string(StopSignal s) {
  switch (s) {
    case StopSignal::Term:
      return "SIGTERM";
    case StopSignal::Int:
      return "SIGINT";
    case StopSignal::Hup:
      return "SIGHUP";
    case StopSignal::Quit:
      return "SIGQUIT";
    case StopSignal::Kill:
      return "SIGKILL";
    case StopSignal::Usr1:
      return "SIGUSR1";
    case StopSignal::Usr2:
      return "SIGUSR2";
  }
  return "SIG?";
}

const char* to_string(RestartPolicy p) {
  switch (p) {
    case RestartPolicy::Always:
      return "always";
    case RestartPolicy::OnFailure:
      return "on-failure";
    case RestartPolicy::Never:
      return "never";
  }
  return "?";
}

const char* to_string(DependencyCondition c) {
  switch (c) {
    case DependencyCondition::Started:
      return "started";
    case DependencyCondition::Ready:
      return "ready";
    case DependencyCondition::Healthy:
      return "healthy";
    case DependencyCondition::Completed:
      return "completed";
  }
  return "?";
}

}  // namespace supd::supervisor
