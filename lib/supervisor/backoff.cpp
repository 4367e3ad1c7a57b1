#include "supervisor/backoff.h"

#include <algorithm>
#include <cmath>

namespace supd::supervisor {

Duration backoff_delay(const BackoffPolicy& policy, unsigned failures) {
  const double cap = static_cast<double>(std::max<Duration::rep>(policy.max.count(), 0));
  const double initial = static_cast<double>(std::max<Duration::rep>(policy.initial.count(), 0));
  if (initial == 0.0) return Duration(0);
  const double factor = policy.factor >= 1.0 ? policy.factor : 1.0;  // also catches NaN
  const double steps = failures > 1 ? static_cast<double>(failures - 1) : 0.0;
  // pow() may reach infinity for long failure streaks; the cap brings it back.
  const double delay = initial * std::pow(factor, steps);
  if (delay >= cap) return std::max(policy.max, Duration(0));  // exact, no double round trip
  return Duration(static_cast<Duration::rep>(delay));
}

}  // namespace supd::supervisor
