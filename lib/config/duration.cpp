#include "config/duration.h"

#include <cstdint>
#include <limits>

namespace supd::config {
namespace {

constexpr std::uint64_t kMax =
    static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal number at the front of `text`: whole part and up to 9 fraction digits (as a count
// of billionths). Consumes what it reads. False when there is no digit at all or on overflow.
bool take_number(std::string_view& text, std::uint64_t& whole, std::uint64_t& billionths) {
  whole = 0;
  billionths = 0;
  std::size_t i = 0;
  bool any = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    if (whole > (kMax - 9) / 10) return false;
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
    any = true;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::uint64_t scale = 100000000;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      // Digits past the ninth cannot make a whole millisecond of anything we accept; they
      // only have to be zero for the value to stay exact.
      if (scale == 0 && text[i] != '0') return false;
      billionths += static_cast<std::uint64_t>(text[i] - '0') * scale;
      scale /= 10;
      any = true;
    }
  }
  text.remove_prefix(i);
  return any;
}

// value * unit_ms, exact in milliseconds, or false.
bool to_millis(std::uint64_t whole, std::uint64_t billionths, std::uint64_t unit_ms,
               std::uint64_t& out) {
  if (whole > kMax / unit_ms) return false;
  std::uint64_t ms = whole * unit_ms;
  // billionths * unit_ms / 1e9 must be whole; unit_ms <= 3.6e6 and billionths < 1e9 keep the
  // product below 2^63.
  std::uint64_t frac = billionths * unit_ms;
  if (frac % 1000000000 != 0) return false;
  frac /= 1000000000;
  if (ms > kMax - frac) return false;
  out = ms + frac;
  return true;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::uint64_t whole = 0;
  std::uint64_t billionths = 0;
  std::uint64_t total = 0;
  if (!take_number(text, whole, billionths)) return std::nullopt;
  if (text.empty()) {  // a bare number: seconds
    if (!to_millis(whole, billionths, 1000, total)) return std::nullopt;
    return Duration(static_cast<Duration::rep>(total));
  }
  while (true) {
    std::uint64_t unit_ms = 0;
    if (text.starts_with("ms")) {
      unit_ms = 1;
      text.remove_prefix(2);
    } else if (text.starts_with("s")) {
      unit_ms = 1000;
      text.remove_prefix(1);
    } else if (text.starts_with("m")) {
      unit_ms = 60'000;
      text.remove_prefix(1);
    } else if (text.starts_with("h")) {
      unit_ms = 3'600'000;
      text.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    std::uint64_t part = 0;
    if (!to_millis(whole, billionths, unit_ms, part) || total > kMax - part) return std::nullopt;
    total += part;
    if (text.empty()) break;
    if (!take_number(text, whole, billionths) || text.empty()) return std::nullopt;
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::string format_duration(Duration d) {
  Duration::rep ms = d.count();
  if (ms == 0) return "0s";
  std::string sign;
  if (ms < 0) sign = "-";
  // Magnitude as unsigned so that the most negative value does not overflow.
  std::uint64_t m = ms < 0 ? 0 - static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  if (m % 3600000 == 0) return sign + std::to_string(m / 3600000) + "h";
  if (m % 60000 == 0) return sign + std::to_string(m / 60000) + "m";
  if (m % 1000 == 0) return sign + std::to_string(m / 1000) + "s";
  return sign + std::to_string(m) + "ms";
}

}  // namespace supd::config
