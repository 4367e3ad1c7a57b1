// The file operations LogFile needs, behind an interface so that tests can inject failures
// (a full disk, a failing rename) into the real thing, the way LevelDB's EnvWrapper does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "os/result.h"

namespace supd::logs {

// One file open for appending.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // One write at the end of the file; may write fewer than `n` bytes.
  virtual os::Result<std::size_t> write(const char* data, std::size_t n) = 0;
  // The file's size now (it changes behind our back when truncated by copytruncate).
  virtual os::Result<std::uint64_t> size() = 0;
};

class FileSystem {
 public:
  struct Opened {
    std::unique_ptr<WritableFile> file;
    std::uint64_t size = 0;  // bytes already in the file
  };

  virtual ~FileSystem() = default;
  // Opens `path` for appending, creating it when missing.
  virtual os::Result<Opened> open_append(const std::string& path) = 0;
  // Atomic; replaces `to`. Fails with no_such_file_or_directory when `from` is missing.
  virtual os::Status rename(const std::string& from, const std::string& to) = 0;
};

// The real files, through lib/os.
FileSystem& real_file_system();

}  // namespace supd::logs
