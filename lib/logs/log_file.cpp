#include "logs/log_file.h"

#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "logs/timestamp.h"

namespace supd::logs {

namespace {

constexpr std::size_t kPrefixSize = kTimestampSize + 1;  // the timestamp and a space
constexpr std::size_t kMaxReasonSize = 512;

// The last '\n' in [p, p + n), or nullptr. Only used where a rotation cuts, so a plain
// backward loop is enough (memrchr is not portable).
const char* last_newline(const char* p, std::size_t n) {
  for (std::size_t i = n; i > 0; --i) {
    if (p[i - 1] == '\n') return p + i - 1;
  }
  return nullptr;
}

bool is_missing(const os::Status& s) {
  return s.error().code == std::errc::no_such_file_or_directory;
}

void keep_first(os::Status& status, os::Status s) {
  if (status.ok() && !s.ok()) status = std::move(s);
}

}  // namespace

LogFile::LogFile(LogFileOptions options, FileSystem& fs, Clock clock)
    : options_(std::move(options)), fs_(fs), clock_(std::move(clock)) {
  if (options_.keep < 1) options_.keep = 1;
  if (options_.buffer_limit < kMinBufferLimit) options_.buffer_limit = kMinBufferLimit;
}

LogFile::~LogFile() { static_cast<void>(close()); }

os::Status LogFile::finish(os::Status status) {
  failing_ = !status.ok();
  return status;
}

os::Status LogFile::open() {
  closed_ = false;
  if (file_) return finish({});
  return finish(drain());
}

os::Status LogFile::write(const char* data, std::size_t n) {
  closed_ = false;
  os::Status status;
  if (!file_ || !pending_.empty() || unreported_ > 0) status = drain();
  if (n == 0) return finish(std::move(status));

  const LineState before{at_line_start_, separator_due_, unreported_};
  const char* out = data;
  std::size_t out_len = n;
  std::size_t head = 0;  // bytes of marker and separator in front of the child's bytes
  if (options_.timestamps || separator_due_ || unreported_ > 0) {
    scratch_.clear();
    if (unreported_ > 0) {
      const std::string m = marker();
      scratch_.append(m.data(), m.size());
    }
    if (separator_due_) {
      if (!at_line_start_) scratch_.push_back('\n');
      at_line_start_ = true;
      separator_due_ = false;
    }
    head = scratch_.size();
    if (options_.timestamps) {
      append_timestamped(data, n, scratch_);
    } else {
      scratch_.append(data, n);
      at_line_start_ = data[n - 1] == '\n';
    }
    out = scratch_.data();
    out_len = scratch_.size();
  } else {
    at_line_start_ = data[n - 1] == '\n';
  }

  if (file_ && pending_.empty()) {
    const std::size_t written = write_rotating(out, out_len, status);
    if (written < out_len) {
      hold(out + written, out_len - written, head > written ? head - written : 0, before, status);
    }
  } else {
    hold(out, out_len, head, before, status);
  }
  return finish(std::move(status));
}

os::Status LogFile::end_of_stream() {
  if (options_.timestamps && !at_line_start_) separator_due_ = true;
  return retry();
}

os::Status LogFile::retry() {
  if (closed_) return finish({});
  if (!file_ || !pending_.empty() || unreported_ > 0) return finish(drain());
  return finish({});
}

os::Status LogFile::reopen() {
  closed_ = false;
  file_.reset();
  os::Status status = open_file();
  if (status.ok() && (!pending_.empty() || unreported_ > 0)) status = drain();
  return finish(std::move(status));
}

os::Status LogFile::close() {
  os::Status status;
  if (!closed_ && (!pending_.empty() || unreported_ > 0)) status = drain();
  if (!pending_.empty()) {
    note_reason(status);
    dropped_ += pending_.size();
    unreported_ += pending_.size();
    pending_.clear();
    at_line_start_ = file_at_line_start_;
  }
  file_.reset();
  closed_ = true;
  return finish(std::move(status));
}

os::Status LogFile::open_file() {
  auto opened = fs_.open_append(options_.path);
  if (!opened) return opened.error();
  file_ = std::move(opened->file);
  size_ = opened->size;
  // Whether an existing file ends mid-line is not known without reading it; assuming a line
  // start only affects where the next rotation may cut.
  file_at_line_start_ = true;
  return {};
}

std::string LogFile::rotated_name(unsigned i) const {
  return options_.path + "." + std::to_string(i);
}

os::Status LogFile::rotate() {
  // Closed before the renames: a follower that sees the new file then knows the old one is
  // complete, and Windows cannot rename an open file.
  file_.reset();
  os::Status status;
  for (unsigned i = options_.keep - 1; i >= 1 && status.ok(); --i) {
    os::Status s = fs_.rename(rotated_name(i), rotated_name(i + 1));
    if (!s.ok() && !is_missing(s)) status = std::move(s);
  }
  if (status.ok()) {
    os::Status s = fs_.rename(options_.path, rotated_name(1));
    if (!s.ok() && !is_missing(s)) status = std::move(s);
  }
  if (status.ok()) ++rotations_;
  // After a refused rename this appends to the same file again: it grows past max_size
  // rather than losing output.
  os::Status opened = open_file();
  keep_first(status, std::move(opened));
  return status;
}

std::size_t LogFile::write_rotating(const char* p, std::size_t len, os::Status& status) {
  const std::uint64_t max = options_.max_size;
  bool can_rotate = max > 0;
  bool size_checked = false;
  std::size_t done = 0;
  while (done < len) {
    if (!file_) {
      os::Status s = open_file();
      if (!s.ok()) {
        keep_first(status, std::move(s));
        break;
      }
    }
    const char* start = p + done;
    std::size_t chunk = len - done;
    bool rotate_after = false;
    if (can_rotate && size_ + chunk > max && !size_checked) {
      // About to rotate: make sure the file really is that big. An external copytruncate
      // empties it without telling us. One stat per rotation, none per ordinary write.
      size_checked = true;
      if (auto actual = file_->size(); actual && *actual < size_) size_ = *actual;
    }
    if (can_rotate && size_ + chunk > max) {
      const auto room = static_cast<std::size_t>(size_ < max ? max - size_ : 0);  // < chunk
      if (const char* nl = last_newline(start, room)) {
        chunk = static_cast<std::size_t>(nl - start) + 1;
        rotate_after = true;
      } else if (size_ > 0 && (file_at_line_start_ || room == 0)) {
        // The next line does not fit: it starts the new file.
        os::Status s = rotate();
        if (!s.ok()) {
          keep_first(status, std::move(s));
          can_rotate = false;
        }
        continue;
      } else {
        // A line longer than the whole file, or one begun by an earlier write: split it.
        chunk = room;
        rotate_after = true;
      }
    }
    auto written = file_->write(start, chunk);
    if (!written) {
      keep_first(status, written.error());
      break;
    }
    if (*written == 0) {
      keep_first(status,
                 os::Error{std::make_error_code(std::errc::io_error), "write " + options_.path});
      break;
    }
    done += *written;
    size_ += *written;
    file_at_line_start_ = p[done - 1] == '\n';
    if (*written < chunk) continue;
    if (rotate_after) {
      os::Status s = rotate();
      if (!s.ok()) {
        keep_first(status, std::move(s));
        can_rotate = false;
      }
    }
  }
  return done;
}

os::Status LogFile::drain() {
  os::Status status;
  if (!file_) {
    status = open_file();
    if (!status.ok()) return status;
  }
  for (;;) {
    if (!pending_.empty()) {
      const std::size_t written = write_rotating(pending_.data(), pending_.size(), status);
      pending_.erase(0, written);
      if (!pending_.empty()) return status;
    }
    if (unreported_ == 0) return status;
    // Everything before the gap is in the file now: mark the gap.
    pending_ += marker();
  }
}

void LogFile::hold(const char* p, std::size_t len, std::size_t head, const LineState& before,
                   const os::Status& cause) {
  note_reason(cause);
  const std::size_t limit = options_.buffer_limit;
  const std::size_t room = pending_.size() < limit ? limit - pending_.size() : 0;
  if (room == 0 || room < head) {
    // Not even the marker fits: nothing of this chunk is accepted. The marker stays owed.
    at_line_start_ = before.at_line_start;
    separator_due_ = before.separator_due;
    unreported_ = before.unreported + (len - head);
    dropped_ += len - head;
    return;
  }
  const std::size_t keep = len < room ? len : room;
  pending_.append(p, keep);
  if (keep < len) {
    at_line_start_ = p[keep - 1] == '\n';
    dropped_ += len - keep;
    unreported_ += len - keep;
  }
}

void LogFile::note_reason(const os::Status& cause) {
  if (cause.ok()) return;
  drop_reason_ = cause.error().message();
  if (drop_reason_.size() > kMaxReasonSize) drop_reason_.resize(kMaxReasonSize);
}

std::string LogFile::marker() {
  std::string out;
  if (!at_line_start_) out.push_back('\n');
  if (options_.timestamps) out.append(stamp(), kPrefixSize);
  out += "[supd: ";
  out += std::to_string(unreported_);
  out += " bytes of output lost: ";
  out += drop_reason_;
  out += "]\n";
  unreported_ = 0;
  at_line_start_ = true;
  return out;
}

const char* LogFile::stamp() {
  const auto now = clock_ ? clock_() : std::chrono::system_clock::now();
  const std::int64_t ms =
      std::chrono::floor<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (ms != stamp_ms_) {
    format_timestamp(now, stamp_);
    stamp_[kTimestampSize] = ' ';
    stamp_ms_ = ms;
  }
  return stamp_;
}

void LogFile::append_timestamped(const char* p, std::size_t n, ChunkBuffer& out) {
  // One clock reading per chunk: its lines arrived together.
  const char* prefix = stamp();
  while (n > 0) {
    const void* nl = std::memchr(p, '\n', n);
    const std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - p) + 1 : n;
    if (at_line_start_) {
      char* w = out.grow(kPrefixSize + len);
      std::memcpy(w, prefix, kPrefixSize);
      std::memcpy(w + kPrefixSize, p, len);
    } else {
      out.append(p, len);
    }
    p += len;
    n -= len;
    at_line_start_ = nl != nullptr;
  }
}

}  // namespace supd::logs
