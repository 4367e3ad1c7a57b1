#include "logs/timestamp.h"

#include <cstdint>

namespace supd::logs {

namespace {

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days),
// so no gmtime_r (POSIX) or gmtime_s (Windows) is needed here.
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

void put(char* out, unsigned value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void format_timestamp(std::chrono::system_clock::time_point t, char* out) {
  using namespace std::chrono;
  const std::int64_t ms = floor<milliseconds>(t.time_since_epoch()).count();
  std::int64_t days = ms / 86400000;
  std::int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --days;
  }
  const Civil c = civil_from_days(days);
  const auto ms_of_day = static_cast<unsigned>(rem);
  // Years outside 0..9999 are not representable in this format; clamp rather than overflow.
  const std::int64_t year = c.year < 0 ? 0 : (c.year > 9999 ? 9999 : c.year);
  put(out, static_cast<unsigned>(year), 4);
  out[4] = '-';
  put(out + 5, c.month, 2);
  out[7] = '-';
  put(out + 8, c.day, 2);
  out[10] = 'T';
  put(out + 11, ms_of_day / 3600000, 2);
  out[13] = ':';
  put(out + 14, ms_of_day / 60000 % 60, 2);
  out[16] = ':';
  put(out + 17, ms_of_day / 1000 % 60, 2);
  out[19] = '.';
  put(out + 20, ms_of_day % 1000, 3);
  out[23] = 'Z';
}

}  // namespace supd::logs
