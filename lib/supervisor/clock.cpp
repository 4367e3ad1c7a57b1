#include "supervisor/clock.h"

#include <cstdint>
#include <string>

namespace supd::supervisor {

std::string format_duration(Duration d) {
  std::int64_t ms = d.count();
  if (ms < 0) return "-" + format_duration(Duration(-ms));
  if (ms == 0) return "0s";
  if (ms < 1000) return std::to_string(ms) + "ms";

  constexpr std::int64_t kHour = 3'600'000;
  constexpr std::int64_t kMinute = 60'000;
  std::string out;
  if (ms >= kHour) {
    out += std::to_string(ms / kHour) + "h";
    ms %= kHour;
  }
  if (ms >= kMinute) {
    out += std::to_string(ms / kMinute) + "m";
    ms %= kMinute;
  }
  if (ms > 0) {
    out += std::to_string(ms / 1000);
    if (std::int64_t frac = ms % 1000; frac != 0) {
      // Milliseconds as a decimal fraction without trailing zeros: 1500ms -> 1.5s.
      std::string digits = std::to_string(1000 + frac).substr(1);
      while (digits.back() == '0') digits.pop_back();
      out += "." + digits;
    }
    out += "s";
  }
  return out;
}

}  // namespace supd::supervisor
