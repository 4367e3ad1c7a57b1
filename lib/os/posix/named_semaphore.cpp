#include "os/named_semaphore.h"

#include <fcntl.h>
#include <semaphore.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <utility>

namespace supd::os {
namespace {

sem_t* sem(void* handle) { return static_cast<sem_t*>(handle); }

Error sem_error(const std::string& what, const std::string& name) {
  return last_error(what + " " + name);
}

#if !defined(__APPLE__)
timespec add_to(clockid_t clock, std::chrono::microseconds timeout) {
  timespec now{};
  clock_gettime(clock, &now);
  const auto total_ns = static_cast<long long>(now.tv_nsec) +
                        std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  timespec deadline{};
  deadline.tv_sec = now.tv_sec + static_cast<time_t>(total_ns / 1'000'000'000);
  deadline.tv_nsec = static_cast<long>(total_ns % 1'000'000'000);
  return deadline;
}
#endif

}  // namespace

Result<NamedSemaphore> NamedSemaphore::open_or_create(const std::string& name, unsigned initial,
                                                      unsigned mode) {
  sem_t* s = sem_open(name.c_str(), O_CREAT, static_cast<mode_t>(mode), initial);
  if (s == SEM_FAILED) return sem_error("open or create semaphore", name);
  return NamedSemaphore(s, name);
}

Result<NamedSemaphore> NamedSemaphore::open(const std::string& name) {
  sem_t* s = sem_open(name.c_str(), 0);
  if (s == SEM_FAILED) return sem_error("open semaphore", name);
  return NamedSemaphore(s, name);
}

Status NamedSemaphore::unlink(const std::string& name) {
  if (sem_unlink(name.c_str()) != 0) return sem_error("remove semaphore", name);
  return {};
}

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
  if (handle_ != nullptr) sem_close(sem(handle_));
  handle_ = nullptr;
}

Status NamedSemaphore::wait() {
  while (sem_wait(sem(handle_)) != 0) {
    if (errno != EINTR) return sem_error("wait on semaphore", name_);
  }
  return {};
}

bool NamedSemaphore::try_wait() {
  while (sem_trywait(sem(handle_)) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

Result<bool> NamedSemaphore::wait_for(std::chrono::microseconds timeout) {
  if (timeout <= std::chrono::microseconds::zero()) return try_wait();
#if defined(__APPLE__)
  // macOS has no sem_timedwait: poll with short sleeps. The granularity (about 1 ms) is
  // fine for a lock whose holders keep it for microseconds.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (try_wait()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
#else
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
  // The monotonic clock: a wall-clock step cannot stretch or cut the wait.
  const timespec deadline = add_to(CLOCK_MONOTONIC, timeout);
  auto timed_wait = [&] { return sem_clockwait(sem(handle_), CLOCK_MONOTONIC, &deadline); };
#else
  const timespec deadline = add_to(CLOCK_REALTIME, timeout);
  auto timed_wait = [&] { return sem_timedwait(sem(handle_), &deadline); };
#endif
  // A signal interrupts the wait; resume it against the same absolute deadline.
  while (timed_wait() != 0) {
    if (errno == ETIMEDOUT) return false;
    if (errno != EINTR) return sem_error("wait on semaphore", name_);
  }
  return true;
#endif
}

Status NamedSemaphore::post() {
  if (sem_post(sem(handle_)) != 0) return sem_error("post semaphore", name_);
  return {};
}

Result<int> NamedSemaphore::value() const {
  int v = 0;
  if (sem_getvalue(sem(handle_), &v) != 0) return sem_error("read the value of semaphore", name_);
  // Some systems report waiters as a negative value; the count available is then zero.
  return v < 0 ? 0 : v;
}

std::string semaphore_name_for(const std::string& status_page_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(status_page_path), ec);
  if (ec) p = fs::absolute(fs::path(status_page_path), ec).lexically_normal();
  if (ec) p = fs::path(status_page_path).lexically_normal();
  // FNV-1a, 64 bits: stable across builds and platforms, unlike std::hash.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : p.string()) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char name[32];
  std::snprintf(name, sizeof name, "/supd-%016llx", static_cast<unsigned long long>(h));
  return name;
}

}  // namespace supd::os
