// Log files on Windows. Every file is opened sharing read, write and delete, so that a log
// can be renamed (rotated) while supd writes it and while supctl follows it, as on POSIX.
#include "os/log_file_io.h"

#include <windows.h>

#include <cstring>
#include <utility>
#include <vector>

#include "os/win/file_identity.h"
#include "os/win/handle.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

HANDLE as_handle(void* h) { return static_cast<HANDLE>(h); }

void close_handle(void*& h) {
  if (h != nullptr) CloseHandle(as_handle(h));
  h = nullptr;
}

FileInfo to_info(const win::FileIdentity& id) {
  FileInfo info;
  info.id.device = id.volume;
  info.id.inode = id.index;
  info.size = id.size;
  return info;
}

Result<FileInfo> handle_info(void* h, const std::string& path) {
  win::FileIdentity id;
  if (h == nullptr) {
    return Error{std::make_error_code(std::errc::bad_file_descriptor), "stat " + path};
  }
  if (!win::identify(as_handle(h), id)) return last_error("stat " + path);
  return to_info(id);
}

bool is_not_found(DWORD error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

// FileRenameInfoEx, which older SDK headers leave out.
constexpr auto kFileRenameInfoEx = static_cast<FILE_INFO_BY_HANDLE_CLASS>(22);

// Renaming with POSIX semantics (Windows 10 1709 and later) replaces a target that others
// still have open, as rename(2) does; older systems (and Wine) only know MoveFileExW.
bool rename_posix_style(const std::wstring& from, const std::wstring& to) {
  win::UniqueHandle file(CreateFileW(from.c_str(), DELETE | SYNCHRONIZE, win::kShareAll, nullptr,
                                     OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!file) return false;
  wchar_t full[MAX_PATH * 4];
  const DWORD n = GetFullPathNameW(to.c_str(), MAX_PATH * 4, full, nullptr);
  if (n == 0 || n >= MAX_PATH * 4) return false;
  std::vector<unsigned char> buffer(sizeof(FILE_RENAME_INFO) + n * sizeof(wchar_t));
  auto* info = reinterpret_cast<FILE_RENAME_INFO*>(buffer.data());
  // The flags share their place with the older ReplaceIfExists field.
  const DWORD flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS;
  std::memcpy(buffer.data(), &flags, sizeof(flags));
  info->RootDirectory = nullptr;
  info->FileNameLength = n * sizeof(wchar_t);
  std::memcpy(info->FileName, full, n * sizeof(wchar_t));
  return SetFileInformationByHandle(file.get(), kFileRenameInfoEx, info,
                                    static_cast<DWORD>(buffer.size())) != 0;
}

}  // namespace

// --- AppendFile ---

AppendFile::AppendFile(AppendFile&& other) noexcept
    : path_(std::move(other.path_)), handle_(std::exchange(other.handle_, nullptr)) {}

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
  if (this != &other) {
    close_handle(handle_);
    path_ = std::move(other.path_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

AppendFile::~AppendFile() { close_handle(handle_); }

Result<AppendFile> AppendFile::open(const std::string& path) {
  // FILE_APPEND_DATA without FILE_WRITE_DATA: every write lands at the end of the file.
  HANDLE h =
      CreateFileW(win::widen(path).c_str(), FILE_APPEND_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                  win::kShareAll, nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return last_error("open " + path);
  AppendFile file;
  file.path_ = path;
  file.handle_ = h;
  return file;
}

bool AppendFile::is_open() const { return handle_ != nullptr; }

Result<std::size_t> AppendFile::write(const char* data, std::size_t n) {
  if (handle_ == nullptr) {
    return Error{std::make_error_code(std::errc::bad_file_descriptor), "write " + path_};
  }
  const DWORD chunk = n > 0x40000000u ? 0x40000000u : static_cast<DWORD>(n);
  DWORD written = 0;
  if (!WriteFile(as_handle(handle_), data, chunk, &written, nullptr)) {
    return last_error("write " + path_);
  }
  return static_cast<std::size_t>(written);
}

Result<FileInfo> AppendFile::info() const { return handle_info(handle_, path_); }

void AppendFile::close() { close_handle(handle_); }

// --- ReadFile ---

ReadFile::ReadFile(ReadFile&& other) noexcept
    : path_(std::move(other.path_)), handle_(std::exchange(other.handle_, nullptr)) {}

ReadFile& ReadFile::operator=(ReadFile&& other) noexcept {
  if (this != &other) {
    close_handle(handle_);
    path_ = std::move(other.path_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

ReadFile::~ReadFile() { close_handle(handle_); }

Result<std::optional<ReadFile>> ReadFile::open(const std::string& path) {
  HANDLE h = CreateFileW(win::widen(path).c_str(), GENERIC_READ, win::kShareAll, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    if (is_not_found(GetLastError())) return std::optional<ReadFile>{};
    return last_error("open " + path);
  }
  ReadFile file;
  file.path_ = path;
  file.handle_ = h;
  return std::optional<ReadFile>(std::move(file));
}

bool ReadFile::is_open() const { return handle_ != nullptr; }

Result<std::size_t> ReadFile::read_at(std::uint64_t offset, char* data, std::size_t n) {
  if (handle_ == nullptr) {
    return Error{std::make_error_code(std::errc::bad_file_descriptor), "read " + path_};
  }
  OVERLAPPED at{};
  at.Offset = static_cast<DWORD>(offset);
  at.OffsetHigh = static_cast<DWORD>(offset >> 32);
  const DWORD chunk = n > 0x40000000u ? 0x40000000u : static_cast<DWORD>(n);
  DWORD got = 0;
  // The global ReadFile, not this class.
  if (!::ReadFile(as_handle(handle_), data, chunk, &got, &at)) {
    if (GetLastError() == ERROR_HANDLE_EOF) return std::size_t{0};
    return last_error("read " + path_);
  }
  return static_cast<std::size_t>(got);
}

Result<FileInfo> ReadFile::info() const { return handle_info(handle_, path_); }

void ReadFile::close() { close_handle(handle_); }

// --- paths ---

Result<std::optional<FileInfo>> file_info(const std::string& path) {
  win::UniqueHandle file = win::open_for_query(win::widen(path));
  if (!file) {
    if (is_not_found(GetLastError())) return std::optional<FileInfo>{};
    return last_error("stat " + path);
  }
  win::FileIdentity id;
  if (!win::identify(file.get(), id)) return last_error("stat " + path);
  return std::optional<FileInfo>(to_info(id));
}

Status rename_file(const std::string& from, const std::string& to) {
  const std::wstring wfrom = win::widen(from);
  const std::wstring wto = win::widen(to);
  if (rename_posix_style(wfrom, wto)) return {};
  if (!MoveFileExW(wfrom.c_str(), wto.c_str(), MOVEFILE_REPLACE_EXISTING)) {
    return last_error("rename " + from + " to " + to);
  }
  return {};
}

}  // namespace supd::os
