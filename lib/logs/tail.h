// Reading the end of a service's log: the last lines (`supctl logs -n 50`), across the
// rotated files when the current one holds fewer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "os/log_file_io.h"
#include "os/result.h"

namespace supd::logs {

// Where a reader stopped: which file (found again by identity after a rotation renamed it)
// and the offset in it.
struct LogPosition {
  os::FileId file;  // not valid(): the file did not exist yet
  std::uint64_t offset = 0;
};

struct Tail {
  std::vector<std::string> lines;  // oldest first, without their '\n'
  LogPosition end;                 // the end of `path` as it was read: where to follow from
};

// The last `n` lines of the log at `path`, continuing into path.1, path.2, ... (newest
// rotated first) while fewer were found, up to the first missing one. The files are read as
// the one stream they were cut from: a line split by a rotation comes back whole. A last line
// without a newline counts as a line. No file at all: no lines, not an error.
os::Result<Tail> tail(const std::string& path, std::size_t n);

// tail(path, n).lines
os::Result<std::vector<std::string>> tail_lines(const std::string& path, std::size_t n);

// path.1, path.2, ...: the name of the i-th rotated file (i >= 1).
std::string rotated_path(const std::string& path, unsigned i);

// Rotated files are looked for up to this index.
inline constexpr unsigned kMaxRotatedFiles = 1000;

}  // namespace supd::logs
