// Files as service logs use them: append-only writing, positional reading, atomic renames
// and file identity (to notice that a path now names another file after a rotation).
//
// Every failure is an Error whose message names the operation and the path:
// "write /var/log/supd/web.out.log: No space left on device".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "os/result.h"

namespace supd::os {

// Which file a path or an open file is (POSIX: device and inode). Survives renames.
struct FileId {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;

  bool valid() const { return device != 0 || inode != 0; }
  friend bool operator==(const FileId&, const FileId&) = default;
};

struct FileInfo {
  FileId id;
  std::uint64_t size = 0;
};

// A file opened for appending (created when missing, mode 0640 before the umask). Every
// write goes to the end of the file, even when another process appended meanwhile.
// Move-only; the destructor closes it.
class AppendFile {
 public:
  AppendFile() = default;
  AppendFile(AppendFile&& other) noexcept;
  AppendFile& operator=(AppendFile&& other) noexcept;
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  ~AppendFile();

  static Result<AppendFile> open(const std::string& path);

  bool is_open() const;
  // One write call (retried when interrupted by a signal); may write fewer than `n` bytes.
  // Writing past RLIMIT_FSIZE fails with EFBIG when SIGXFSZ is ignored (as supd does).
  Result<std::size_t> write(const char* data, std::size_t n);
  Result<FileInfo> info() const;
  void close();

 private:
  std::string path_;
#ifdef _WIN32
  void* handle_ = nullptr;
#else
  int fd_ = -1;
#endif
};

// A file opened for reading at explicit offsets. Move-only; the destructor closes it.
class ReadFile {
 public:
  ReadFile() = default;
  ReadFile(ReadFile&& other) noexcept;
  ReadFile& operator=(ReadFile&& other) noexcept;
  ReadFile(const ReadFile&) = delete;
  ReadFile& operator=(const ReadFile&) = delete;
  ~ReadFile();

  // nullopt when there is no such file; other failures are errors.
  static Result<std::optional<ReadFile>> open(const std::string& path);

  bool is_open() const;
  // Reads up to `n` bytes at `offset`; 0 at the end of the file.
  Result<std::size_t> read_at(std::uint64_t offset, char* data, std::size_t n);
  Result<FileInfo> info() const;
  void close();

 private:
  std::string path_;
#ifdef _WIN32
  void* handle_ = nullptr;
#else
  int fd_ = -1;
#endif
};

// What `path` names now (following symlinks); nullopt when nothing.
Result<std::optional<FileInfo>> file_info(const std::string& path);

// Renames atomically, replacing `to` if it exists. Error "rename A to B: ...".
Status rename_file(const std::string& from, const std::string& to);

}  // namespace supd::os
