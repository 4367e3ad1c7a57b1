#include "config/size.h"

#include <array>
#include <cctype>
#include <limits>
#include <numeric>

namespace supd::config {
namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

struct Unit {
  const char* name;  // upper case
  std::uint64_t bytes;
};

constexpr std::array<Unit, 14> kUnits{{
    {"", 1},
    {"B", 1},
    {"K", kKiB},
    {"KB", kKiB},
    {"KIB", kKiB},
    {"M", kKiB* kKiB},
    {"MB", kKiB* kKiB},
    {"MIB", kKiB* kKiB},
    {"G", kKiB* kKiB* kKiB},
    {"GB", kKiB* kKiB* kKiB},
    {"GIB", kKiB* kKiB* kKiB},
    {"T", kKiB* kKiB* kKiB* kKiB},
    {"TB", kKiB* kKiB* kKiB* kKiB},
    {"TIB", kKiB* kKiB* kKiB* kKiB},
}};

std::optional<std::uint64_t> unit_bytes(std::string_view suffix) {
  std::string upper;
  for (char c : suffix) {
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  for (const Unit& u : kUnits) {
    if (upper == u.name) return u.bytes;
  }
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t whole = 0;
  bool any = false;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (whole > (kMax - digit) / 10) return std::nullopt;
    whole = whole * 10 + digit;
    any = true;
  }
  // The fraction as numerator / 10^k. Twelve digits are more than any whole number of bytes of
  // a TiB needs; further digits must be zeros.
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && is_digit(text[i]); ++i) {
      any = true;
      if (denominator >= 1000000000000ULL) {
        if (text[i] != '0') return std::nullopt;
        continue;
      }
      numerator = numerator * 10 + static_cast<std::uint64_t>(text[i] - '0');
      denominator *= 10;
    }
  }
  if (!any) return std::nullopt;
  const std::optional<std::uint64_t> unit = unit_bytes(text.substr(i));
  if (!unit) return std::nullopt;
  if (whole > kMax / *unit) return std::nullopt;
  std::uint64_t bytes = whole * *unit;
  if (numerator != 0) {
    // numerator/denominator * unit is whole only if the reduced denominator divides unit.
    const std::uint64_t g = std::gcd(numerator, denominator);
    const std::uint64_t num = numerator / g;
    const std::uint64_t den = denominator / g;
    if (*unit % den != 0) return std::nullopt;
    const std::uint64_t per = *unit / den;
    if (num > kMax / per || bytes > kMax - num * per) return std::nullopt;
    bytes += num * per;
  }
  return bytes;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  static constexpr std::array<const char*, 4> kNames{"TB", "GB", "MB", "KB"};
  std::uint64_t unit = kKiB * kKiB * kKiB * kKiB;
  for (const char* name : kNames) {
    if (bytes % unit == 0) return std::to_string(bytes / unit) + name;
    unit /= kKiB;
  }
  return std::to_string(bytes) + "B";
}

}  // namespace supd::config
