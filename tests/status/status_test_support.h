// Shared pieces of the status page tests: a scratch directory, forked children, and
// service records whose every field derives from one counter (so a torn one shows).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "os/named_semaphore.h"
#include "status/service_status.h"

namespace supd::status::testing {

class StatusPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "supd-status-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    page_ = (dir_ / "supd.status").string();
  }
  void TearDown() override {
    (void)os::NamedSemaphore::unlink(os::semaphore_name_for(page_));
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::string page_;
};

// Waits for a forked child; its exit code, or 128 + signal when a signal ended it.
inline int wait_child(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A record made from counter `c` alone, with texts of varying length.
inline ServiceStatus derived_status(const std::string& name, std::uint32_t c) {
  static const char* const kSignals[] = {"", "SIGHUP", "SIGTERM", "SIGSEGV"};
  ServiceStatus s;
  s.name = name;
  s.state = static_cast<ServiceState>(c % kServiceStateCount);
  s.pid = c;
  s.since = std::int64_t{c} * 3;
  s.restarts = c ^ 0x5a5a5a5au;
  if (c % 3 != 0) s.exit_code = static_cast<int>(c % 256);
  s.signal = kSignals[c % 4];
  s.last_exit = "exited " + std::to_string(c) + std::string(c % 60, 'x');
  s.health = static_cast<Health>(c % kHealthCount);
  return s;
}

// True when `s` is either a fresh record or derived_status(s.name, s.pid) exactly.
inline bool is_consistent(const ServiceStatus& s) {
  if (s.pid == 0) {
    ServiceStatus fresh;
    fresh.name = s.name;
    return s == fresh;
  }
  return s == derived_status(s.name, static_cast<std::uint32_t>(s.pid));
}

}  // namespace supd::status::testing
