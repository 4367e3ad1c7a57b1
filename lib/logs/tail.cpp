#include "logs/tail.h"

#include <algorithm>
#include <optional>
#include <system_error>
#include <utility>

namespace supd::logs {

namespace {

constexpr std::size_t kBlockSize = std::size_t{64} * 1024;

// Collects lines from a stream fed block by block from its end toward its start.
class BackwardLines {
 public:
  explicit BackwardLines(std::size_t want) : want_(want) {}

  bool done() const { return lines_.size() >= want_; }

  // `p` holds the bytes just before everything fed so far.
  void feed(const char* p, std::size_t len) {
    std::size_t end = len;
    while (end > 0 && !done()) {
      const char* nl = last_newline(p, end);
      const std::size_t start = nl ? static_cast<std::size_t>(nl - p) + 1 : 0;
      if (end > start) {
        pieces_.emplace_back(p + start, end - start);
        seen_after_ = true;
      }
      if (!nl) return;  // the line began earlier in the stream
      // This newline ends the line before it, so what was collected after it is a line;
      // unless nothing came after it at all: the stream's final newline ends no new line.
      if (seen_after_) emit();
      seen_after_ = true;
      end = static_cast<std::size_t>(nl - p);
    }
  }

  // The start of the stream: what was collected is its first line.
  std::vector<std::string> finish() {
    if (!done() && seen_after_) emit();
    std::reverse(lines_.begin(), lines_.end());
    return std::move(lines_);
  }

 private:
  static const char* last_newline(const char* p, std::size_t n) {
    for (std::size_t i = n; i > 0; --i) {
      if (p[i - 1] == '\n') return p + i - 1;
    }
    return nullptr;
  }

  void emit() {
    std::string line;
    for (auto it = pieces_.rbegin(); it != pieces_.rend(); ++it) line += *it;
    lines_.push_back(std::move(line));
    pieces_.clear();
  }

  std::size_t want_;
  std::vector<std::string> lines_;   // newest first
  std::vector<std::string> pieces_;  // of the line being collected, newest first
  bool seen_after_ = false;          // a byte after the current position was fed
};

// One attempt. `raced` is set when a rotation moved the files while they were being read
// (the same file seen twice, or a file shrank), so that the caller can read again.
os::Result<Tail> tail_once(const std::string& path, std::size_t n, bool& raced) {
  Tail result;
  BackwardLines collector(n);
  std::vector<os::FileId> seen;
  std::vector<char> block(kBlockSize);
  for (unsigned k = 0; k <= kMaxRotatedFiles && !collector.done(); ++k) {
    const std::string name = k == 0 ? path : rotated_path(path, k);
    auto opened = os::ReadFile::open(name);
    if (!opened) return opened.error();
    if (!*opened) {
      if (k == 0) continue;  // the current file may not exist yet while rotated ones do
      break;
    }
    os::ReadFile& file = **opened;
    auto info = file.info();
    if (!info) return info.error();
    if (k == 0) result.end = LogPosition{info->id, info->size};
    if (std::find(seen.begin(), seen.end(), info->id) != seen.end()) {
      raced = true;
      return result;
    }
    seen.push_back(info->id);

    std::uint64_t pos = info->size;
    while (pos > 0 && !collector.done()) {
      const auto len = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, pos));
      pos -= len;
      std::size_t got = 0;
      while (got < len) {
        auto r = file.read_at(pos + got, block.data() + got, len - got);
        if (!r) return r.error();
        if (*r == 0) {
          raced = true;  // truncated under us
          return result;
        }
        got += *r;
      }
      collector.feed(block.data(), len);
    }
  }
  result.lines = collector.finish();
  return result;
}

}  // namespace

std::string rotated_path(const std::string& path, unsigned i) {
  return path + "." + std::to_string(i);
}

os::Result<Tail> tail(const std::string& path, std::size_t n) {
  if (n == 0) {
    // Only the position is wanted.
    auto info = os::file_info(path);
    if (!info) return info.error();
    Tail result;
    if (*info) result.end = LogPosition{(*info)->id, (*info)->size};
    return result;
  }
  // A rotation during the read is rare and quick; a few attempts settle it.
  for (int attempt = 0;; ++attempt) {
    bool raced = false;
    auto result = tail_once(path, n, raced);
    if (!result || !raced) return result;
    if (attempt == 4) {
      return os::Error{std::make_error_code(std::errc::resource_unavailable_try_again),
                       "read " + path + ": the files kept rotating while being read"};
    }
  }
}

os::Result<std::vector<std::string>> tail_lines(const std::string& path, std::size_t n) {
  auto result = tail(path, n);
  if (!result) return result.error();
  return std::move(result->lines);
}

}  // namespace supd::logs
