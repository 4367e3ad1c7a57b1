#include "supervisor/snapshot.h"

namespace supd::supervisor {

const char* to_string(Health h) {
  switch (h) {
    case Health::None:
      return "none";
    case Health::Unknown:
      return "unknown";
    case Health::Ok:
      return "ok";
    case Health::Failing:
      return "failing";
  }
  return "?";
}

const char* to_string(ProcessPhase p) {
  switch (p) {
    case ProcessPhase::None:
      return "none";
    case ProcessPhase::Spawning:
      return "spawning";
    case ProcessPhase::Alive:
      return "alive";
    case ProcessPhase::GroupOnly:
      return "group only";
  }
  return "?";
}

}  // namespace supd::supervisor
