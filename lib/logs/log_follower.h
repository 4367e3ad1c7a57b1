// Following a service's log as it grows (`supctl logs -f`), across rotations and
// truncations. Poll-based: the caller calls poll() on a timer (the daemon: every ~200 ms
// per following client). A poll that finds nothing new costs two stat calls.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "logs/tail.h"
#include "os/log_file_io.h"
#include "os/result.h"

namespace supd::logs {

struct FollowOptions {
  // A last line without a newline that has not grown for this many polls is returned as it
  // is; its continuation, if one comes, is then returned as a line of its own (the way a
  // prompt or a last line of a child that exited is shown). 0: only complete lines.
  unsigned partial_after_polls = 5;
  // Longer lines are returned in pieces of this many bytes.
  std::size_t max_line = std::size_t{1024} * 1024;
  // At most this many bytes are read per poll; the rest waits for the next one, so a poll
  // never keeps the loop busy for long.
  std::size_t max_read = std::size_t{8} * 1024 * 1024;
};

// Rotation: when the path names a new file (the old one was renamed to path.1 and a new
// one created), the old file is read to its end first, then the next newer one from its
// start. The next newer file is found by identity among path.1, path.2, ... so that several
// rotations between two polls lose nothing while the files are kept. While the new file at
// the path is still empty the old one stays current: after an external rename, the writer
// keeps appending to the old file until it reopens.
// Truncation (the file got shorter than what was read, as with copytruncate) restarts from
// its beginning; a file truncated and regrown past the old size between two polls cannot be
// told from a file that grew.
class LogFollower {
 public:
  // Follows `path` from `start` (usually Tail::end, so the tail and the follow neither miss
  // nor repeat a line). A `start` whose file is gone starts at the beginning of the current
  // file; an invalid one (no file at tail time) waits for the file to appear.
  LogFollower(std::string path, LogPosition start, FollowOptions options = {});

  // The lines appended since the last poll, oldest first, without their '\n'. An error
  // (e.g. the file cannot be read) leaves the position where it was.
  os::Result<std::vector<std::string>> poll();

  const std::string& path() const { return path_; }
  // Where the next poll continues.
  LogPosition position() const { return {id_, offset_}; }

 private:
  os::Status open_start();
  os::Status read_to_end(std::vector<std::string>& lines, std::size_t& budget, bool& got);
  os::Result<std::optional<std::string>> successor();
  void split(const char* p, std::size_t n, std::vector<std::string>& lines);

  std::string path_;
  LogPosition start_;
  FollowOptions options_;
  bool started_ = false;

  std::optional<os::ReadFile> file_;
  os::FileId id_;
  std::uint64_t offset_ = 0;

  std::string partial_;  // bytes of a line whose newline has not come yet
  unsigned quiet_polls_ = 0;
  std::vector<char> buffer_;
};

}  // namespace supd::logs
