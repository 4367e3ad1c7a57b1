// The wait between a failed start and the next attempt.
#pragma once

#include "supervisor/clock.h"

namespace supd::supervisor {

struct BackoffPolicy {
  Duration initial{1000};
  Duration max{60'000};
  double factor = 2.0;

  bool operator==(const BackoffPolicy&) const = default;
};

// The delay after `failures` failed starts in a row (failures >= 1; 0 counts as 1):
//
//   delay(n) = min(max, initial * factor^(n - 1))
//
// so the defaults give 1s, 2s, 4s, ... 32s, 60s, 60s. systemd's service_restart_usec_next()
// instead interpolates r_i = r_0 * (r_n / r_0)^(i / n), reaching the maximum after a fixed
// number of steps n; here the growth is the `factor` users write. A factor below 1 counts as
// 1 (the delay never shrinks while starts keep failing), and a max below initial wins.
// Computed in floating point and clamped before converting, so it cannot overflow.
Duration backoff_delay(const BackoffPolicy& policy, unsigned failures);

}  // namespace supd::supervisor
