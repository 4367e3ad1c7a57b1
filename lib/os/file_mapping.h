// A file mapped into memory and shared with every other process that maps it (POSIX mmap
// MAP_SHARED; Windows CreateFileMappingW + MapViewOfFile). Writes through data() are visible
// to other mappings at once; sync() is only needed for durability on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "os/result.h"

namespace supd::os {

class FileMapping {
 public:
  // Opens `path` for reading and writing, creating it when missing, sets its size to `size`
  // bytes (new bytes read as zero) and maps all of it. A file it creates gets exactly `mode`
  // (POSIX permission bits; the umask does not narrow it); an existing file keeps its mode.
  // The parent directory must exist: "create /x/y: No such file or directory" otherwise.
  // Shrinking a file that others have mapped makes their access past the end fault, so
  // callers re-create with the same size or replace the file instead.
  static Result<FileMapping> create(const std::string& path, std::size_t size, unsigned mode);
  // Maps the whole current size of an existing file, read-only. An empty file gives a
  // mapping of size 0 and data() == nullptr.
  static Result<FileMapping> open_read_only(const std::string& path);

  FileMapping(FileMapping&& other) noexcept;
  FileMapping& operator=(FileMapping&& other) noexcept;
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  ~FileMapping();

  // The mapped bytes. Writing through a read-only mapping faults.
  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool writable() const { return writable_; }
  const std::string& path() const { return path_; }

  // Flushes the mapped bytes to the file on disk and waits for it.
  Status sync();

  // Whether `path` (default: the path this was mapped from) still names the mapped file:
  // false once the file was removed or replaced by another (for instance renamed over it).
  bool still_at(const std::string& path) const;
  bool still_at() const { return still_at(path_); }

 private:
  FileMapping(std::byte* data, std::size_t size, bool writable, std::string path,
              std::uint64_t device, std::uint64_t inode)
      : data_(data),
        size_(size),
        writable_(writable),
        path_(std::move(path)),
        device_(device),
        inode_(inode) {}
  void unmap() noexcept;

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  bool writable_ = false;
  std::string path_;
  // The identity of the mapped file (POSIX st_dev/st_ino; Windows volume serial/file index).
  std::uint64_t device_ = 0;
  std::uint64_t inode_ = 0;
};

}  // namespace supd::os
