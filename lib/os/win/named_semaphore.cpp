// Named semaphores on Windows: CreateSemaphoreW / OpenSemaphoreW.
//
// A name without a namespace ("supd-<hash>", as semaphore_name_for() makes) lives in
// Global\ when this process may create global objects (a service may), so that a supctl
// in a user's session finds the service's semaphore, and in Local\ otherwise; opening
// looks in Global\ first, then in Local\. The name goes away by itself when the last
// handle to the semaphore closes: unlink() has nothing to do.
#include "os/named_semaphore.h"

#include <windows.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <utility>

#include <climits>

#include "os/win/security.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

HANDLE sem(void* handle) { return static_cast<HANDLE>(handle); }

constexpr DWORD kUseRights = SYNCHRONIZE | SEMAPHORE_MODIFY_STATE | win::kSemaphoreQueryState;
constexpr LONG kMaxCount = LONG_MAX;

bool has_namespace(const std::string& name) { return name.find('\\') != std::string::npos; }

// NtQuerySemaphore (ntdll) is the one way to read a semaphore's count.
struct SemaphoreBasicInformation {
  LONG current_count;
  LONG maximum_count;
};
using NtQuerySemaphoreFn = LONG(NTAPI*)(HANDLE, int, void*, ULONG, ULONG*);

NtQuerySemaphoreFn nt_query_semaphore() {
  static const auto kFn = reinterpret_cast<NtQuerySemaphoreFn>(reinterpret_cast<void (*)()>(
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySemaphore")));
  return kFn;
}

}  // namespace

Result<NamedSemaphore> NamedSemaphore::open_or_create(const std::string& name, unsigned initial,
                                                      unsigned mode) {
  auto security = win::SecurityAttributes::from_mode(mode, win::kSemaphoreRights);
  if (!security) return security.error();
  const LONG count = static_cast<LONG>(std::min<unsigned>(initial, kMaxCount));
  if (has_namespace(name)) {
    HANDLE h = CreateSemaphoreExW(security->get(), count, kMaxCount, win::widen(name).c_str(), 0,
                                  kUseRights);
    if (h == nullptr) return last_error("open or create semaphore " + name);
    return NamedSemaphore(h, name);
  }
  // Global\ needs SeCreateGlobalPrivilege to create (not to open); Local\ always works.
  for (const char* space : {"Global\\", "Local\\"}) {
    const std::string full = space + name;
    HANDLE h = CreateSemaphoreExW(security->get(), count, kMaxCount, win::widen(full).c_str(), 0,
                                  kUseRights);
    if (h != nullptr) return NamedSemaphore(h, name);
    if (GetLastError() != ERROR_ACCESS_DENIED) break;
  }
  return last_error("open or create semaphore " + name);
}

Result<NamedSemaphore> NamedSemaphore::open(const std::string& name) {
  if (has_namespace(name)) {
    HANDLE h = OpenSemaphoreW(kUseRights, FALSE, win::widen(name).c_str());
    if (h == nullptr) return last_error("open semaphore " + name);
    return NamedSemaphore(h, name);
  }
  DWORD first_error = ERROR_SUCCESS;
  for (const char* space : {"Global\\", "Local\\"}) {
    HANDLE h = OpenSemaphoreW(kUseRights, FALSE, win::widen(space + name).c_str());
    if (h != nullptr) return NamedSemaphore(h, name);
    // Access denied in Global\ says more than "not found" in Local\.
    if (first_error == ERROR_SUCCESS || first_error == ERROR_FILE_NOT_FOUND) {
      first_error = GetLastError();
    }
  }
  return Error{{static_cast<int>(first_error), std::system_category()}, "open semaphore " + name};
}

Status NamedSemaphore::unlink(const std::string&) { return {}; }

NamedSemaphore::NamedSemaphore(NamedSemaphore&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), name_(std::move(other.name_)) {}

NamedSemaphore& NamedSemaphore::operator=(NamedSemaphore&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

NamedSemaphore::~NamedSemaphore() { close(); }

void NamedSemaphore::close() noexcept {
  if (handle_ != nullptr) CloseHandle(sem(handle_));
  handle_ = nullptr;
}

Status NamedSemaphore::wait() {
  if (WaitForSingleObject(sem(handle_), INFINITE) != WAIT_OBJECT_0) {
    return last_error("wait on semaphore " + name_);
  }
  return {};
}

bool NamedSemaphore::try_wait() { return WaitForSingleObject(sem(handle_), 0) == WAIT_OBJECT_0; }

Result<bool> NamedSemaphore::wait_for(std::chrono::microseconds timeout) {
  if (timeout <= std::chrono::microseconds::zero()) return try_wait();
  // Milliseconds, rounded up so that a short wait still waits.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
  const DWORD wait_ms =
      ms >= static_cast<long long>(INFINITE) ? INFINITE - 1 : static_cast<DWORD>(ms);
  switch (WaitForSingleObject(sem(handle_), wait_ms)) {
    case WAIT_OBJECT_0:
      return true;
    case WAIT_TIMEOUT:
      return false;
    default:
      return last_error("wait on semaphore " + name_);
  }
}

Status NamedSemaphore::post() {
  if (!ReleaseSemaphore(sem(handle_), 1, nullptr)) return last_error("post semaphore " + name_);
  return {};
}

Result<int> NamedSemaphore::value() const {
  NtQuerySemaphoreFn query = nt_query_semaphore();
  SemaphoreBasicInformation info{};
  if (query == nullptr || query(sem(handle_), 0, &info, sizeof(info), nullptr) != 0) {
    return Error{{ERROR_NOT_SUPPORTED, std::system_category()},
                 "read the value of semaphore " + name_};
  }
  return static_cast<int>(info.current_count);
}

// "supd-" and 16 hex digits of a hash of the page's absolute path, compared the way
// Windows compares paths: without regard to case, '/' the same as '\'.
std::string semaphore_name_for(const std::string& status_page_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path given(win::widen(status_page_path));
  fs::path p = fs::weakly_canonical(given, ec);
  if (ec) p = fs::absolute(given, ec).lexically_normal();
  if (ec) p = given.lexically_normal();
  std::wstring text = p.wstring();
  std::replace(text.begin(), text.end(), L'/', L'\\');
  if (!text.empty()) {
    CharUpperBuffW(text.data(), static_cast<DWORD>(text.size()));
  }
  // FNV-1a, 64 bits, over the UTF-8 bytes: stable across builds and platforms.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : win::narrow(text)) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char name[32];
  std::snprintf(name, sizeof name, "supd-%016llx", static_cast<unsigned long long>(h));
  return name;
}

}  // namespace supd::os
