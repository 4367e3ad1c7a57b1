#include "os/file_mapping.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace supd::os {
namespace {

// Closes a descriptor on every path out of a function, keeping errno intact so the error
// taken after a failed call is the call's own.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd_ < 0) return;
    const int saved = errno;
    ::close(fd_);
    errno = saved;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<FileMapping> FileMapping::create(const std::string& path, std::size_t size, unsigned mode) {
  // Try to create it first, so that only a file made here gets its mode set: chmod of an
  // existing file could fail or widen someone else's permissions.
  bool created = true;
  int raw = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (raw < 0 && errno == EEXIST) {
    created = false;
    raw = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  }
  if (raw < 0) return last_error("create " + path);
  FdGuard fd(raw);
  if (created && ::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) {
    return last_error("set the mode of " + path);
  }
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return last_error("resize " + path + " to " + std::to_string(size) + " bytes");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_error("stat " + path);
  if (size == 0) {
    return FileMapping(nullptr, 0, true, path, static_cast<std::uint64_t>(st.st_dev),
                       static_cast<std::uint64_t>(st.st_ino));
  }
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return last_error("map " + path + " into memory");
  return FileMapping(static_cast<std::byte*>(p), size, true, path,
                     static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino));
}

Result<FileMapping> FileMapping::open_read_only(const std::string& path) {
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return last_error("open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_error("stat " + path);
  const auto size = static_cast<std::size_t>(st.st_size);
  const auto device = static_cast<std::uint64_t>(st.st_dev);
  const auto inode = static_cast<std::uint64_t>(st.st_ino);
  if (size == 0) return FileMapping(nullptr, 0, false, path, device, inode);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (p == MAP_FAILED) return last_error("map " + path + " into memory");
  return FileMapping(static_cast<std::byte*>(p), size, false, path, device, inode);
}

FileMapping::FileMapping(FileMapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      writable_(other.writable_),
      path_(std::move(other.path_)),
      device_(other.device_),
      inode_(other.inode_) {}

FileMapping& FileMapping::operator=(FileMapping&& other) noexcept {
  if (this != &other) {
    unmap();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    writable_ = other.writable_;
    path_ = std::move(other.path_);
    device_ = other.device_;
    inode_ = other.inode_;
  }
  return *this;
}

FileMapping::~FileMapping() { unmap(); }

void FileMapping::unmap() noexcept {
  if (data_ != nullptr) ::munmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

Status FileMapping::sync() {
  if (data_ == nullptr) return {};
  if (::msync(data_, size_, MS_SYNC) != 0) return last_error("sync " + path_ + " to disk");
  return {};
}

bool FileMapping::still_at(const std::string& path) const {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return static_cast<std::uint64_t>(st.st_dev) == device_ &&
         static_cast<std::uint64_t>(st.st_ino) == inode_;
}

}  // namespace supd::os
