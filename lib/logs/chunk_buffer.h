// A growable byte buffer for composing one chunk of log output. Unlike std::string it does
// not zero the room it grows into, so a timestamped chunk is built with plain memcpy calls.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>

namespace supd::logs {

class ChunkBuffer {
 public:
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  void clear() { size_ = 0; }

  // Extends the buffer by `n` bytes and returns where they go.
  char* grow(std::size_t n) {
    if (capacity_ - size_ < n) reallocate(size_ + n);
    char* p = data_.get() + size_;
    size_ += n;
    return p;
  }
  void append(const char* p, std::size_t n) {
    if (n > 0) std::memcpy(grow(n), p, n);
  }
  void push_back(char c) { *grow(1) = c; }

 private:
  void reallocate(std::size_t needed) {
    std::size_t capacity = capacity_ < 4096 ? 4096 : capacity_ * 2;
    while (capacity < needed) capacity *= 2;
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace supd::logs
