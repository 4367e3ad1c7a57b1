// FileMapping on Windows: CreateFileW + CreateFileMappingW + MapViewOfFile. The view keeps
// the file mapped after its handles are closed. The file is opened sharing read, write and
// delete, so that a page can still be renamed or replaced while it is mapped.
#include "os/file_mapping.h"

#include <windows.h>

#include <utility>

#include "os/win/file_identity.h"
#include "os/win/handle.h"
#include "os/win/security.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

using win::UniqueHandle;

Result<std::byte*> map_view(HANDLE file, std::size_t size, bool writable, const std::string& path) {
  UniqueHandle section(
      CreateFileMappingW(file, nullptr, writable ? PAGE_READWRITE : PAGE_READONLY, 0, 0, nullptr));
  if (!section) return last_error("map " + path + " into memory");
  void* view = MapViewOfFile(section.get(),
                             writable ? FILE_MAP_READ | FILE_MAP_WRITE : FILE_MAP_READ, 0, 0, size);
  if (view == nullptr) return last_error("map " + path + " into memory");
  return static_cast<std::byte*>(view);
}

}  // namespace

Result<FileMapping> FileMapping::create(const std::string& path, std::size_t size, unsigned mode) {
  const std::wstring wpath = win::widen(path);
  // Only a file made here gets the mode's permissions; an existing one keeps its own.
  auto security = win::SecurityAttributes::from_mode(mode, win::kFileRights);
  if (!security) return security.error();
  UniqueHandle file(CreateFileW(wpath.c_str(), GENERIC_READ | GENERIC_WRITE, win::kShareAll,
                                security->get(), CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file && GetLastError() == ERROR_FILE_EXISTS) {
    file.reset(CreateFileW(wpath.c_str(), GENERIC_READ | GENERIC_WRITE, win::kShareAll, nullptr,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  }
  if (!file) return last_error("create " + path);
  win::FileIdentity id;
  if (!win::identify(file.get(), id)) return last_error("stat " + path);
  if (id.size != size) {
    // New bytes read as zero.
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    if (!SetFileInformationByHandle(file.get(), FileEndOfFileInfo, &end, sizeof(end))) {
      return last_error("resize " + path + " to " + std::to_string(size) + " bytes");
    }
  }
  if (size == 0) return FileMapping(nullptr, 0, true, path, id.volume, id.index);
  auto view = map_view(file.get(), size, true, path);
  if (!view) return view.error();
  return FileMapping(view.value(), size, true, path, id.volume, id.index);
}

Result<FileMapping> FileMapping::open_read_only(const std::string& path) {
  UniqueHandle file(CreateFileW(win::widen(path).c_str(), GENERIC_READ, win::kShareAll, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file) return last_error("open " + path);
  win::FileIdentity id;
  if (!win::identify(file.get(), id)) return last_error("stat " + path);
  const auto size = static_cast<std::size_t>(id.size);
  if (size == 0) return FileMapping(nullptr, 0, false, path, id.volume, id.index);
  auto view = map_view(file.get(), size, false, path);
  if (!view) return view.error();
  return FileMapping(view.value(), size, false, path, id.volume, id.index);
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
  if (data_ != nullptr) UnmapViewOfFile(data_);
  data_ = nullptr;
  size_ = 0;
}

Status FileMapping::sync() {
  if (data_ == nullptr) return {};
  if (!FlushViewOfFile(data_, size_)) return last_error("sync " + path_ + " to disk");
  // FlushViewOfFile only starts the writes; waiting for them takes a handle to the file.
  UniqueHandle file(CreateFileW(win::widen(path_).c_str(), GENERIC_WRITE, win::kShareAll, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  win::FileIdentity id;
  if (file && win::identify(file.get(), id) && id.volume == device_ && id.index == inode_ &&
      !FlushFileBuffers(file.get())) {
    return last_error("sync " + path_ + " to disk");
  }
  return {};
}

bool FileMapping::still_at(const std::string& path) const {
  UniqueHandle file = win::open_for_query(win::widen(path));
  win::FileIdentity id;
  return file && win::identify(file.get(), id) && id.volume == device_ && id.index == inode_;
}

}  // namespace supd::os
