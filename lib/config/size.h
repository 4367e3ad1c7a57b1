// Sizes as the config writes them: "512KB", "10MB", "1GB" (powers of 1024; K/M/G/T with or
// without B, KiB/MiB/GiB/TiB too, any case), decimals such as "1.5GB", or a bare number of bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace supd::config {

// nullopt for anything else, for fractions of a byte, and on overflow.
std::optional<std::uint64_t> parse_size(std::string_view text);

// In the largest unit that divides exactly, never a fraction: 10485760 -> "10MB",
// 1536 -> "1536B", 0 -> "0". parse_size(format_size(n)) == n.
std::string format_size(std::uint64_t bytes);

}  // namespace supd::config
