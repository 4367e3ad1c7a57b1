// A counting semaphore that other processes find by name (POSIX sem_open; Windows
// CreateSemaphoreW). supd uses one as the status page lock: waits are always bounded there,
// because a holder can die without releasing it (nothing releases a named semaphore for a
// dead process), so the caller must be able to give up and repair it.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "os/result.h"

namespace supd::os {

class NamedSemaphore {
 public:
  // Opens the semaphore `name`, creating it with value `initial` when it does not exist.
  // `mode` (POSIX permission bits) applies only when it is created and is reduced by the
  // umask; waiting and posting need read and write permission. `name` is a portable name
  // such as semaphore_name_for() returns ("/supd-..." on POSIX).
  static Result<NamedSemaphore> open_or_create(const std::string& name, unsigned initial,
                                               unsigned mode = 0600);
  // Opens an existing semaphore; an Error ("open semaphore /supd-...: No such file or
  // directory") when there is none.
  static Result<NamedSemaphore> open(const std::string& name);
  // Removes the name; processes that have it open keep using the old semaphore, and the
  // next open_or_create() makes a new one.
  static Status unlink(const std::string& name);

  NamedSemaphore(NamedSemaphore&& other) noexcept;
  NamedSemaphore& operator=(NamedSemaphore&& other) noexcept;
  NamedSemaphore(const NamedSemaphore&) = delete;
  NamedSemaphore& operator=(const NamedSemaphore&) = delete;
  ~NamedSemaphore();

  // Decrements, waiting as long as it takes (interruptions by signals are retried).
  Status wait();
  // Decrements if the value is above zero; never waits.
  bool try_wait();
  // Decrements, waiting at most `timeout`: true when decremented, false on timeout.
  Result<bool> wait_for(std::chrono::microseconds timeout);
  // Increments, waking one waiter.
  Status post();
  // The current value, where the platform can tell (Linux, FreeBSD); an Error elsewhere
  // (macOS, Windows). Only a hint: it may change as soon as it is read.
  Result<int> value() const;

  const std::string& name() const { return name_; }

 private:
  NamedSemaphore(void* handle, std::string name) : handle_(handle), name_(std::move(name)) {}
  void close() noexcept;

  void* handle_ = nullptr;  // sem_t* (POSIX) or HANDLE (Windows)
  std::string name_;
};

// The semaphore name for a status page: "/supd-" and 16 hex digits of a hash of the page's
// absolute path (symbolic links resolved where the path exists), so every process that
// names the same page, however it spells the path, finds the same semaphore. 22 characters:
// short enough for every platform (macOS allows 31).
std::string semaphore_name_for(const std::string& status_page_path);

}  // namespace supd::os
