#include "os/log_file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace supd::os {

namespace {

FileInfo to_info(const struct stat& st) {
  FileInfo info;
  info.id.device = static_cast<std::uint64_t>(st.st_dev);
  info.id.inode = static_cast<std::uint64_t>(st.st_ino);
  info.size = st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  return info;
}

Result<FileInfo> fd_info(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return last_error("stat " + path);
  return to_info(st);
}

void close_fd(int& fd) {
  if (fd >= 0) {
    // A failed close of a file we only wrote with write(2) loses nothing: the data already
    // reached the page cache, and retrying close on Linux could close another thread's fd.
    ::close(fd);
    fd = -1;
  }
}

}  // namespace

// --- AppendFile ---

AppendFile::AppendFile(AppendFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
  if (this != &other) {
    close_fd(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

AppendFile::~AppendFile() { close_fd(fd_); }

Result<AppendFile> AppendFile::open(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return last_error("open " + path);
  AppendFile file;
  file.path_ = path;
  file.fd_ = fd;
  return file;
}

bool AppendFile::is_open() const { return fd_ >= 0; }

Result<std::size_t> AppendFile::write(const char* data, std::size_t n) {
  if (fd_ < 0) return Error{std::make_error_code(std::errc::bad_file_descriptor), "write " + path_};
  for (;;) {
    ssize_t r = ::write(fd_, data, n);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) return last_error("write " + path_);
  }
}

Result<FileInfo> AppendFile::info() const { return fd_info(fd_, path_); }

void AppendFile::close() { close_fd(fd_); }

// --- ReadFile ---

ReadFile::ReadFile(ReadFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

ReadFile& ReadFile::operator=(ReadFile&& other) noexcept {
  if (this != &other) {
    close_fd(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ReadFile::~ReadFile() { close_fd(fd_); }

Result<std::optional<ReadFile>> ReadFile::open(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<ReadFile>{};
    return last_error("open " + path);
  }
  ReadFile file;
  file.path_ = path;
  file.fd_ = fd;
  return std::optional<ReadFile>(std::move(file));
}

bool ReadFile::is_open() const { return fd_ >= 0; }

Result<std::size_t> ReadFile::read_at(std::uint64_t offset, char* data, std::size_t n) {
  if (fd_ < 0) return Error{std::make_error_code(std::errc::bad_file_descriptor), "read " + path_};
  for (;;) {
    ssize_t r = ::pread(fd_, data, n, static_cast<off_t>(offset));
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno != EINTR) return last_error("read " + path_);
  }
}

Result<FileInfo> ReadFile::info() const { return fd_info(fd_, path_); }

void ReadFile::close() { close_fd(fd_); }

// --- paths ---

Result<std::optional<FileInfo>> file_info(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileInfo>{};
    return last_error("stat " + path);
  }
  return std::optional<FileInfo>(to_info(st));
}

Status rename_file(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return last_error("rename " + from + " to " + to);
  return {};
}

}  // namespace supd::os
