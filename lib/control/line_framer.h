// Splits a byte stream into lines, with a bound on line length. No I/O: bytes in, lines out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace supd::control {

class LineFramer {
 public:
  // Lines longer than `max_line` bytes (not counting the '\n') overflow the framer.
  explicit LineFramer(std::size_t max_line);

  // Appends bytes. Bytes after an overflow are ignored, so memory stays bounded by what the
  // complete lines not yet taken hold plus one line.
  void feed(const char* data, std::size_t size);
  // The next complete line, without its '\n'; nullopt when none is complete yet.
  std::optional<std::string> next_line();

  // True once a line longer than the limit arrived. The complete lines before it are still
  // returned by next_line(); nothing after it is.
  bool overflowed() const { return overflowed_; }
  // Bytes held: complete lines not yet taken plus the partial line.
  std::size_t buffered() const { return buffer_.size() - read_pos_; }
  // A line has started but its '\n' has not arrived.
  bool has_partial() const { return partial_ > 0; }
  std::size_t max_line() const { return max_line_; }

 private:
  std::size_t max_line_;
  std::string buffer_;
  std::size_t read_pos_ = 0;  // start of the first line not yet taken
  std::size_t scan_pos_ = 0;  // everything before this is known to hold no unread '\n'
  std::size_t partial_ = 0;   // length of the trailing incomplete line
  bool overflowed_ = false;
};

}  // namespace supd::control
