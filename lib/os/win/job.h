// One Job Object per child: the Windows process group. Every process the child starts is
// in it too (unless it breaks away, which the job does not allow), so the job can be
// stopped as a whole, and closing its last handle kills whatever is left in it: if supd
// dies, however it dies, the system closes the handle and no service outlives it.
#pragma once

#include <windows.h>

#include <cstddef>

#include "os/result.h"
#include "os/win/handle.h"

namespace supd::os::win {

class Job {
 public:
  // A new, empty job with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE and
  // JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION (a crashing service exits at once instead
  // of waiting on an error-reporting dialog nobody will see).
  static Result<Job> create();

  Job() = default;
  ~Job();  // kills what is left in the job
  Job(Job&& other) noexcept;
  Job& operator=(Job&& other) noexcept;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  HANDLE handle() const { return handle_.get(); }

  // Puts a process into the job; do it while the process is still suspended, so that
  // everything it starts lands in the job as well.
  Status assign(HANDLE process);
  // Ends every process in the job with `exit_code`.
  Status terminate(UINT exit_code);
  // How many processes are running in the job (0 on error).
  DWORD active_processes() const;

 private:
  void unregister();

  UniqueHandle handle_;
  std::size_t slot_ = kNoSlot;
  static constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);
};

// Terminates every job created by Job::create() that still exists. Lock-free and
// allocation-free, for crash handlers.
void terminate_all_jobs(UINT exit_code) noexcept;

}  // namespace supd::os::win
