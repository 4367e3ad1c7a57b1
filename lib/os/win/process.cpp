// Child processes on Windows (lib/os/process.h).
//
// Each child starts suspended in a new process group, is put into a kill-on-close Job
// Object of its own, and only then runs, so everything it starts is in the job too. Only
// the handles meant for it (its stdio) are inherited. Its exit is awaited on the event loop
// through asio::windows::object_handle on the process handle.
#include "os/process.h"

#include <windows.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <asio/windows/object_handle.hpp>

#include "os/win/command_line.h"
#include "os/win/console.h"
#include "os/win/environment.h"
#include "os/win/handle.h"
#include "os/win/job.h"
#include "os/win/output_pipe.h"
#include "os/win/program_search.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

using win::Job;
using win::UniqueHandle;

// The exit code of a process supd terminated. The exit is then reported as a kill by the
// signal that was asked for (as POSIX would), not as this code.
constexpr UINT kTerminatedExitCode = 1;

Error not_supported(const std::string& what) {
  return Error{{ERROR_NOT_SUPPORTED, std::system_category()}, what + ": not supported on Windows"};
}

// The POSIX-only parts of a ProcessSpec are refused rather than silently ignored.
Status check_posix_only_fields(const ProcessSpec& spec) {
  if (!spec.user.empty()) return not_supported("user");
  if (!spec.group.empty()) return not_supported("group");
  if (spec.umask) return not_supported("umask");
  if (!spec.limits.empty()) return not_supported("limits");
  return {};
}

Status check_directory(const std::string& cwd) {
  const DWORD attributes = GetFileAttributesW(win::widen(cwd).c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return last_error("cwd " + cwd);
  if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
    return Error{{ERROR_DIRECTORY, std::system_category()}, "cwd " + cwd};
  }
  return {};
}

// The handles a child starts with, owned here until it has been created.
class ChildStdio {
 public:
  Status set_up(const ProcessSpec& spec) {
    if (auto s = prepare(spec.stdin_mode == StdioMode::Pipe ? StdioMode::Null : spec.stdin_mode,
                         STD_INPUT_HANDLE, nullptr, in_);
        !s) {
      return s;
    }
    if (auto s = prepare(spec.stdout_mode, STD_OUTPUT_HANDLE, &stdout_pipe_, out_); !s) return s;
    if (spec.stderr_to_stdout) {
      err_ = out_;
    } else if (auto s = prepare(spec.stderr_mode, STD_ERROR_HANDLE, &stderr_pipe_, err_); !s) {
      return s;
    }
    return {};
  }

  HANDLE in() const { return in_; }
  HANDLE out() const { return out_; }
  HANDLE err() const { return err_; }

  // The distinct handles to inherit: exactly these, through PROC_THREAD_ATTRIBUTE_HANDLE_LIST.
  std::vector<HANDLE> inherited() const {
    std::vector<HANDLE> list;
    for (HANDLE h : {in_, out_, err_}) {
      if (h == nullptr || h == INVALID_HANDLE_VALUE) continue;
      bool seen = false;
      for (HANDLE other : list) seen = seen || other == h;
      if (!seen) list.push_back(h);
    }
    return list;
  }

  UniqueHandle take_stdout_reader() { return std::move(stdout_pipe_.read_end); }
  UniqueHandle take_stderr_reader() { return std::move(stderr_pipe_.read_end); }

  // The child has its copies: supd's copies of the child's ends must go, or supd would
  // never see end of file on the pipes.
  void close_child_ends() {
    stdout_pipe_.write_end.reset();
    stderr_pipe_.write_end.reset();
    null_.reset();
    for (UniqueHandle& h : duplicates_) h.reset();
  }

 private:
  Status prepare(StdioMode mode, DWORD std_handle, win::OutputPipe* pipe, HANDLE& slot) {
    SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    switch (mode) {
      case StdioMode::Null:
        if (!null_) {
          null_.reset(CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable, OPEN_EXISTING,
                                  0, nullptr));
          if (!null_) return last_error("open NUL");
        }
        slot = null_.get();
        return {};
      case StdioMode::Inherit: {
        // An inheritable duplicate of supd's own handle, if it has one.
        HANDLE own = GetStdHandle(std_handle);
        slot = nullptr;
        if (own == nullptr || own == INVALID_HANDLE_VALUE) return {};
        HANDLE dup = nullptr;
        if (!DuplicateHandle(GetCurrentProcess(), own, GetCurrentProcess(), &dup, 0, TRUE,
                             DUPLICATE_SAME_ACCESS)) {
          return {};  // not a real handle (nothing usable to pass on)
        }
        duplicates_.emplace_back(dup);
        slot = dup;
        return {};
      }
      case StdioMode::Pipe: {
        if (pipe == nullptr) return {};
        auto created = win::create_output_pipe();
        if (!created) return created.error();
        *pipe = std::move(created.value());
        slot = pipe->write_end.get();
        return {};
      }
    }
    return {};
  }

  UniqueHandle null_;
  win::OutputPipe stdout_pipe_;
  win::OutputPipe stderr_pipe_;
  std::vector<UniqueHandle> duplicates_;
  HANDLE in_ = nullptr;
  HANDLE out_ = nullptr;
  HANDLE err_ = nullptr;
};

// PROC_THREAD_ATTRIBUTE_HANDLE_LIST for CreateProcessW.
class HandleListAttribute {
 public:
  Status init(std::vector<HANDLE>& handles) {
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    buffer_.resize(size);
    list_ = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(buffer_.data());
    if (!InitializeProcThreadAttributeList(list_, 1, 0, &size)) {
      list_ = nullptr;
      return last_error("initialize a process attribute list");
    }
    if (!UpdateProcThreadAttribute(list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles.data(),
                                   handles.size() * sizeof(HANDLE), nullptr, nullptr)) {
      return last_error("set the list of inherited handles");
    }
    return {};
  }
  ~HandleListAttribute() {
    if (list_ != nullptr) DeleteProcThreadAttributeList(list_);
  }
  LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

 private:
  std::vector<unsigned char> buffer_;
  LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

// What the exit handler needs; shared with it so that it never touches a destroyed child.
struct WaitState {
  bool child_alive = true;
  std::optional<Signal> terminated_by;  // set when supd terminated the process or its job
};

class WinChild final : public Child {
 public:
  WinChild(asio::io_context& io, Pid pid, HANDLE process, Job job, std::unique_ptr<AsyncPipe> out,
           std::unique_ptr<AsyncPipe> err)
      : pid_(pid),
        process_(io, process),
        job_(std::move(job)),
        stdout_(std::move(out)),
        stderr_(std::move(err)),
        state_(std::make_shared<WaitState>()) {}

  // Closing the job kills whatever is left in it: a dropped child leaves nothing behind.
  ~WinChild() override { state_->child_alive = false; }

  Pid pid() const override { return pid_; }

  void async_wait(std::function<void(const ExitStatus&)> on_exit) override {
    HANDLE process = process_.native_handle();
    process_.async_wait(
        [state = state_, process, on_exit = std::move(on_exit)](std::error_code ec) {
          if (ec == asio::error::operation_aborted || !state->child_alive) return;
          DWORD code = 0;
          GetExitCodeProcess(process, &code);
          ExitStatus status;
          if (state->terminated_by && code == kTerminatedExitCode) {
            status.signaled = true;
            status.signo = native_signal(*state->terminated_by);
          } else {
            status.code = static_cast<int>(code);
          }
          on_exit(status);
        });
  }

  Status send_signal(Signal s) override {
    if (WaitForSingleObject(process_.native_handle(), 0) == WAIT_OBJECT_0) {
      return Error{{},
                   std::string("send ") + signal_name(s) + " to process " + std::to_string(pid_) +
                       ": it has already exited"};
    }
    switch (s) {
      case Signal::Term:
      case Signal::Int:
        // CTRL_BREAK reaches the whole process group: a console cannot do better.
        if (GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, static_cast<DWORD>(pid_))) return {};
        return terminate_process(s);
      case Signal::Kill:
        return terminate_process(s);
      case Signal::Hup:
      case Signal::Quit:
      case Signal::Usr1:
      case Signal::Usr2:
      case Signal::Cont:
      case Signal::Stop:
      case Signal::Winch:
      case Signal::Alrm:
        break;
    }
    return not_supported(signal_name(s));
  }

  Status signal_group(Signal s) override {
    switch (s) {
      case Signal::Term:
      case Signal::Int:
        if (!group_alive()) return {};
        if (GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, static_cast<DWORD>(pid_))) return {};
        // No console to share with the group (or none that carries CTRL_BREAK): the only
        // way left to stop it is to end the job.
        return terminate_job(s);
      case Signal::Kill:
        if (!group_alive()) return {};
        return terminate_job(s);
      case Signal::Hup:
      case Signal::Quit:
      case Signal::Usr1:
      case Signal::Usr2:
      case Signal::Cont:
      case Signal::Stop:
      case Signal::Winch:
      case Signal::Alrm:
        break;
    }
    return not_supported(signal_name(s));
  }

  bool group_alive() const override { return job_.active_processes() > 0; }

  std::unique_ptr<AsyncPipe> take_stdout() override { return std::move(stdout_); }
  std::unique_ptr<AsyncPipe> take_stderr() override { return std::move(stderr_); }

 private:
  Status terminate_process(Signal s) {
    state_->terminated_by = s;
    if (!TerminateProcess(process_.native_handle(), kTerminatedExitCode)) {
      if (WaitForSingleObject(process_.native_handle(), 0) == WAIT_OBJECT_0) return {};
      return last_error("terminate process " + std::to_string(pid_));
    }
    return {};
  }

  Status terminate_job(Signal s) {
    state_->terminated_by = s;
    if (auto st = job_.terminate(kTerminatedExitCode); !st) {
      return Error{st.error().code, st.error().what + " of process " + std::to_string(pid_)};
    }
    return {};
  }

  Pid pid_;
  asio::windows::object_handle process_;  // owns the process handle
  Job job_;
  std::unique_ptr<AsyncPipe> stdout_;
  std::unique_ptr<AsyncPipe> stderr_;
  std::shared_ptr<WaitState> state_;
};

Error in_spawn(const ProcessSpec& spec, const Error& e) {
  return Error{e.code, "spawn " + spec.argv.front() + ": " + e.what};
}

}  // namespace

Result<std::unique_ptr<Child>> spawn(asio::io_context& io, const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return Error{{ERROR_INVALID_PARAMETER, std::system_category()}, "spawn: empty command"};
  }
  if (auto s = check_posix_only_fields(spec); !s) return in_spawn(spec, s.error());
  auto command_line = win::build_command_line(spec.argv);
  if (!command_line) return in_spawn(spec, command_line.error());
  auto env = win::child_environment(spec.inherit_env, spec.env);
  if (!env) return in_spawn(spec, env.error());
  std::wstring cwd;
  if (!spec.cwd.empty()) {
    if (auto s = check_directory(spec.cwd); !s) return in_spawn(spec, s.error());
    cwd = win::widen(spec.cwd);
  }
  auto program = win::find_program(spec.argv.front(), cwd, env.value());
  if (!program) return program.error();

  win::ensure_console_for_children();

  ChildStdio stdio;
  if (auto s = stdio.set_up(spec); !s) return in_spawn(spec, s.error());
  std::vector<HANDLE> inherited = stdio.inherited();
  HandleListAttribute attribute;
  if (!inherited.empty()) {
    if (auto s = attribute.init(inherited); !s) return in_spawn(spec, s.error());
  }
  auto job = Job::create();
  if (!job) return in_spawn(spec, job.error());

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof(startup);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = stdio.in();
  startup.StartupInfo.hStdOutput = stdio.out();
  startup.StartupInfo.hStdError = stdio.err();
  startup.lpAttributeList = attribute.get();

  std::wstring wide_command_line = win::widen(command_line.value());
  if (wide_command_line.size() >= win::kMaxCommandLine) {
    return Error{{ERROR_FILENAME_EXCED_RANGE, std::system_category()},
                 "spawn " + spec.argv.front() + ": the command line is " +
                     std::to_string(wide_command_line.size()) +
                     " characters long; Windows allows " +
                     std::to_string(win::kMaxCommandLine - 1)};
  }
  std::wstring block = win::environment_block(std::move(env.value()));
  const DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP | CREATE_SUSPENDED |
                      (attribute.get() != nullptr ? EXTENDED_STARTUPINFO_PRESENT : 0);
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(program.value().c_str(), wide_command_line.data(), nullptr, nullptr,
                      inherited.empty() ? FALSE : TRUE, flags, block.data(),
                      cwd.empty() ? nullptr : cwd.c_str(), &startup.StartupInfo, &info)) {
    return last_error("spawn " + spec.argv.front());
  }
  stdio.close_child_ends();
  UniqueHandle process(info.hProcess);
  UniqueHandle thread(info.hThread);

  // Into the job before it runs a single instruction: whatever it starts is in it too.
  if (auto s = job.value().assign(process.get()); !s) {
    TerminateProcess(process.get(), kTerminatedExitCode);
    return in_spawn(spec, s.error());
  }
  if (ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    Error e = last_error("spawn " + spec.argv.front() + ": resume its main thread");
    TerminateProcess(process.get(), kTerminatedExitCode);
    return e;
  }

  std::unique_ptr<AsyncPipe> out;
  std::unique_ptr<AsyncPipe> err;
  if (UniqueHandle reader = stdio.take_stdout_reader()) {
    out = win::make_async_pipe(io, std::move(reader));
  }
  if (UniqueHandle reader = stdio.take_stderr_reader()) {
    err = win::make_async_pipe(io, std::move(reader));
  }
  return std::unique_ptr<Child>(
      std::make_unique<WinChild>(io, static_cast<Pid>(info.dwProcessId), process.release(),
                                 std::move(job.value()), std::move(out), std::move(err)));
}

Status become_subreaper() { return {}; }

bool process_exists(Pid pid) {
  if (pid <= 0) return false;
  UniqueHandle process(OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid)));
  if (!process) {
    // It exists but is not ours to open.
    return GetLastError() == ERROR_ACCESS_DENIED;
  }
  return WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
}

Pid current_pid() { return static_cast<Pid>(GetCurrentProcessId()); }

void kill_adopted_orphans() {}

std::optional<Pid> session_of(Pid) { return std::nullopt; }

void kill_all_children_from_signal_handler() noexcept {
  win::terminate_all_jobs(kTerminatedExitCode);
}

}  // namespace supd::os
