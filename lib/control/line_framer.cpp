#include "control/line_framer.h"

#include <cstring>

namespace supd::control {

LineFramer::LineFramer(std::size_t max_line) : max_line_(max_line) {}

void LineFramer::feed(const char* data, std::size_t size) {
  while (size > 0 && !overflowed_) {
    const void* nl = std::memchr(data, '\n', size);
    std::size_t segment = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : size;
    if (partial_ + segment > max_line_) {
      // Keep the complete lines; drop the oversized one and everything after it.
      buffer_.resize(buffer_.size() - partial_);
      partial_ = 0;
      overflowed_ = true;
      return;
    }
    std::size_t take = nl ? segment + 1 : segment;
    buffer_.append(data, take);
    partial_ = nl ? 0 : partial_ + segment;
    data += take;
    size -= take;
  }
}

std::optional<std::string> LineFramer::next_line() {
  if (scan_pos_ < read_pos_) scan_pos_ = read_pos_;
  std::size_t nl = buffer_.find('\n', scan_pos_);
  if (nl == std::string::npos) {
    scan_pos_ = buffer_.size();
    // Reclaim the consumed prefix once nothing complete is left.
    if (read_pos_ > 0) {
      buffer_.erase(0, read_pos_);
      scan_pos_ -= read_pos_;
      read_pos_ = 0;
    }
    return std::nullopt;
  }
  std::string line = buffer_.substr(read_pos_, nl - read_pos_);
  read_pos_ = nl + 1;
  scan_pos_ = read_pos_;
  return line;
}

}  // namespace supd::control
