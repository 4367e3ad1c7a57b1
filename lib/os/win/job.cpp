#include "os/win/job.h"

#include <array>
#include <atomic>
#include <utility>

namespace supd::os::win {
namespace {

// Every live job, so that a crashing supd can end them all before it dies. Slots are
// claimed and released with atomics because the reader is a crash handler, which may run
// while any lock is held. When the table is full a job is simply not listed: closing
// supd's handles still kills it, only a moment later.
constexpr std::size_t kSlots = 4096;
std::array<std::atomic<HANDLE>, kSlots> g_jobs{};

std::size_t register_job(HANDLE job) {
  for (std::size_t i = 0; i < kSlots; ++i) {
    HANDLE expected = nullptr;
    if (g_jobs[i].compare_exchange_strong(expected, job)) return i;
  }
  return static_cast<std::size_t>(-1);
}

}  // namespace

Result<Job> Job::create() {
  UniqueHandle handle(CreateJobObjectW(nullptr, nullptr));
  if (!handle) return last_error("create a job object");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags =
      JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (!SetInformationJobObject(handle.get(), JobObjectExtendedLimitInformation, &limits,
                               sizeof(limits))) {
    return last_error("set the job object's kill-on-close limit");
  }
  Job job;
  job.slot_ = register_job(handle.get());
  job.handle_ = std::move(handle);
  return job;
}

Job::~Job() { unregister(); }

Job::Job(Job&& other) noexcept
    : handle_(std::move(other.handle_)), slot_(std::exchange(other.slot_, kNoSlot)) {}

Job& Job::operator=(Job&& other) noexcept {
  if (this != &other) {
    unregister();
    handle_ = std::move(other.handle_);
    slot_ = std::exchange(other.slot_, kNoSlot);
  }
  return *this;
}

void Job::unregister() {
  if (slot_ != kNoSlot) g_jobs[slot_].store(nullptr);
  slot_ = kNoSlot;
  handle_.reset();
}

Status Job::assign(HANDLE process) {
  if (!AssignProcessToJobObject(handle_.get(), process)) {
    return last_error("put the process into its job object");
  }
  return {};
}

Status Job::terminate(UINT exit_code) {
  if (!TerminateJobObject(handle_.get(), exit_code)) {
    return last_error("terminate the job object");
  }
  return {};
}

DWORD Job::active_processes() const {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  if (!QueryInformationJobObject(handle_.get(), JobObjectBasicAccountingInformation, &info,
                                 sizeof(info), nullptr)) {
    return 0;
  }
  return info.ActiveProcesses;
}

void terminate_all_jobs(UINT exit_code) noexcept {
  for (auto& slot : g_jobs) {
    HANDLE job = slot.load();
    if (job != nullptr) TerminateJobObject(job, exit_code);
  }
}

}  // namespace supd::os::win
