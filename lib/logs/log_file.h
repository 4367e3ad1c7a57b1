// One log file fed with a child's output: every byte, in order, once — across size
// rotations, reopens and write errors (held in memory up to a limit, then counted).
//
// Single-threaded: call it from one thread (the daemon's loop thread). Writes are plain
// write(2) calls on an O_APPEND descriptor, one per chunk handed in (not per line), so the
// caller should hand over what one pipe read returned. Nothing is held back on success:
// when write() returns, the bytes are in the file (the page cache; there is no fsync).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "logs/chunk_buffer.h"
#include "logs/file_system.h"
#include "os/result.h"

namespace supd::logs {

struct LogFileOptions {
  std::string path;
  // Rotate before the file would grow past this many bytes; 0: never rotate.
  std::uint64_t max_size = 0;
  // Rotated files kept: path.1 (newest) .. path.keep (oldest); older ones are deleted.
  // Values below 1 count as 1.
  unsigned keep = 5;
  // Prefix every line with "2026-11-22T01:02:03.456Z " (UTC, the time the chunk arrived).
  bool timestamps = false;
  // Output held in memory while the file cannot be written. Beyond it, output is dropped
  // and counted. Values below kMinBufferLimit count as kMinBufferLimit.
  std::size_t buffer_limit = std::size_t{4} * 1024 * 1024;
};

inline constexpr std::size_t kMinBufferLimit = std::size_t{64} * 1024;

// Rotation (max_size > 0): before a write would take the file past max_size, the file is
// renamed to path.1 (path.1 -> path.2 ... up to path.keep, the oldest replaced) and a new,
// empty file is created at path. The cut is made after the last newline that still fits, so
// lines stay whole; when no newline fits, the whole line moves to the new file. A line is
// only split when it does not fit in an empty file (longer than max_size) or when its
// beginning was already written by an earlier write() and the rest no longer fits. A file
// never exceeds max_size. With timestamps, the continuation of a split line carries no
// prefix, so the bytes of the child stay contiguous once the prefixes are stripped.
//
// Write errors (disk full, EIO, EFBIG, permissions, a failed open): nothing throws and
// nothing blocks. The bytes not written stay in memory, in order, and are written first on
// the next write(), retry(), reopen() or end_of_stream(). At most buffer_limit bytes are
// held; output that does not fit is dropped (the part of a chunk that fits is kept) and
// counted in dropped_bytes(). Once writing works again, the file gets one line where the
// gap is:
//   [supd: 1234 bytes of output lost: write /var/log/supd/web.out.log: No space left on device]
// (timestamped like any line when timestamps are on). Counts are bytes of log output,
// i.e. including timestamp prefixes when timestamps are on. A failed rotation (a rename
// refused) is reported and the file grows past max_size rather than losing anything; the
// rotation is tried again on the next write.
class LogFile {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Opens nothing yet; open() or the first write() does. `clock`: for timestamps; empty
  // means std::chrono::system_clock::now.
  explicit LogFile(LogFileOptions options, FileSystem& fs = real_file_system(),
                   Clock clock = nullptr);
  ~LogFile();  // close(), ignoring its result
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // Opens (creating) the file, appending to what it holds; its size counts toward
  // max_size. Optional: write() opens it too. An error here is worth reporting at start.
  os::Status open();

  // Appends `n` bytes of the child's output. Returns the first error this call met (open,
  // write or rotation); the bytes are then held or dropped as described above.
  os::Status write(const char* data, std::size_t n);
  os::Status write(std::string_view s) { return write(s.data(), s.size()); }

  // The child's stream ended (it exited). Everything is already in the file, including a
  // last line without a newline, which is left as it is: nothing is added. With timestamps
  // only, the next write() (a restarted child) first ends that line with a newline so its
  // first line gets its own prefix. Retries held bytes.
  os::Status end_of_stream();

  // Writes the held bytes, if any (opening the file when it is not open). Call it on a timer
  // (e.g. every second) while failing() so held output reaches the file even when the child
  // stays quiet.
  os::Status retry();

  // Closes and opens the path again (creating it): after an external logrotate renamed the
  // file, on SIGUSR1. Held bytes go to the new file.
  os::Status reopen();

  // Writes the held bytes if possible and closes the file. Bytes that still cannot be
  // written are dropped and counted. A later write() opens the file again.
  os::Status close();

  const LogFileOptions& options() const { return options_; }
  const std::string& path() const { return options_.path; }
  // Bytes in the current file: its size at open plus what was written since (re-read from
  // the file before a rotation, in case it was truncated from outside).
  std::uint64_t size() const { return size_; }
  // Bytes held in memory, waiting for the file to accept them.
  std::size_t buffered_bytes() const { return pending_.size(); }
  // Bytes of output dropped so far (never reset).
  std::uint64_t dropped_bytes() const { return dropped_; }
  // Rotations performed so far.
  std::uint64_t rotations() const { return rotations_; }
  // The last operation failed, or bytes are held or lost and not yet marked in the file.
  bool failing() const { return failing_ || !pending_.empty() || unreported_ > 0; }

 private:
  struct LineState {
    bool at_line_start;
    bool separator_due;
    std::uint64_t unreported;
  };

  os::Status open_file();
  os::Status rotate();
  os::Status drain();
  std::size_t write_rotating(const char* p, std::size_t len, os::Status& status);
  void hold(const char* p, std::size_t len, std::size_t head, const LineState& before,
            const os::Status& cause);
  void note_reason(const os::Status& cause);
  std::string marker();
  void append_timestamped(const char* p, std::size_t n, ChunkBuffer& out);
  const char* stamp();
  std::string rotated_name(unsigned i) const;
  os::Status finish(os::Status status);

  LogFileOptions options_;
  FileSystem& fs_;
  Clock clock_;

  std::unique_ptr<WritableFile> file_;
  std::uint64_t size_ = 0;
  bool file_at_line_start_ = true;  // the last byte written to the file is '\n' (or none)
  bool closed_ = false;

  // The state of the output as accepted (written or held), for prefixes and markers.
  bool at_line_start_ = true;
  bool separator_due_ = false;  // timestamps: a child's stream ended mid-line

  std::string pending_;  // accepted, not yet written
  ChunkBuffer scratch_;  // output of one write() being composed
  std::uint64_t dropped_ = 0;
  std::uint64_t unreported_ = 0;  // dropped bytes not yet marked in the file
  std::string drop_reason_;
  std::uint64_t rotations_ = 0;
  bool failing_ = false;

  std::int64_t stamp_ms_ = -1;
  char stamp_[32] = {};
};

}  // namespace supd::logs
