// supd under the service control manager: the dispatcher, the control handler and the
// status reports. The daemon runs on the service's own thread (ServiceMain); the SCM's
// requests arrive on the dispatcher's thread and reach the daemon as control signals,
// through the same SignalWatcher a console event reaches.
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "os/paths.h"
#include "os/signals.h"
#include "os/win/console_control.h"
#include "os/win/wide.h"
#include "windows-service/service.h"

namespace supd::service {
namespace {

// The SCM restarts the countdown of a pending state each time the checkpoint moves: it is
// moved every second while supd starts or stops, so a long shutdown_timeout is not taken for
// a hang, and the hint only needs to cover a stalled second.
constexpr DWORD kWaitHintMs = 10000;
constexpr auto kCheckpointEvery = std::chrono::seconds(1);

struct ServiceState {
  std::mutex mutex;
  std::condition_variable stopped;
  SERVICE_STATUS_HANDLE handle = nullptr;
  SERVICE_STATUS status{};
  bool finished = false;
};

ServiceState g_state;
const std::function<int()>* g_run_daemon = nullptr;
int g_exit_code = 0;

bool is_pending(DWORD state) {
  return state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
}

// With g_state.mutex held. exit_code matters for SERVICE_STOPPED only.
void report_locked(DWORD state, int exit_code = 0) {
  SERVICE_STATUS& s = g_state.status;
  s.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  s.dwCurrentState = state;
  s.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                                        SERVICE_ACCEPT_PARAMCHANGE
                                                  : 0;
  s.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
  s.dwServiceSpecificExitCode = static_cast<DWORD>(exit_code);
  s.dwWaitHint = is_pending(state) ? kWaitHintMs : 0;
  s.dwCheckPoint = is_pending(state) ? s.dwCheckPoint + 1 : 0;
  SetServiceStatus(g_state.handle, &s);
}

DWORD current_state_locked() { return g_state.status.dwCurrentState; }

// Moves the checkpoint of a pending state every second until the service has stopped.
void tick_checkpoints() {
  std::unique_lock lock(g_state.mutex);
  while (!g_state.stopped.wait_for(lock, kCheckpointEvery, [] { return g_state.finished; })) {
    if (is_pending(current_state_locked())) report_locked(current_state_locked());
  }
}

void deliver(os::ControlSignal signal) { os::win::deliver_control_signal(signal); }

DWORD WINAPI on_control(DWORD control, DWORD /*event_type*/, void* /*event_data*/,
                        void* /*context*/) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN: {
      {
        std::lock_guard lock(g_state.mutex);
        if (current_state_locked() == SERVICE_RUNNING) report_locked(SERVICE_STOP_PENDING);
      }
      deliver(os::ControlSignal::Terminate);
      return NO_ERROR;
    }
    case SERVICE_CONTROL_PARAMCHANGE:
      deliver(os::ControlSignal::Reload);
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      if (control == kReopenLogsControl) {
        deliver(os::ControlSignal::ReopenLogs);
        return NO_ERROR;
      }
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

// Points the C runtime's stderr (std::cerr, spdlog's stderr sink, the crash report) and the
// process's standard error handle (which services set to "inherit" get) at `path`,
// appending. A service starts with neither.
void redirect_stderr(const std::string& path) {
  const std::wstring wide = os::win::widen(path);
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(wide).parent_path(), ignored);
#if defined(__MINGW32__) && !defined(_UCRT)
  // msvcrt: a process started without standard error has a stderr stream with no
  // descriptor (-2), which Wine's freopen refuses to reopen. Descriptor 2 is made the file
  // and the stream pointed at it.
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE file = CreateFileW(wide.c_str(), FILE_APPEND_DATA | SYNCHRONIZE,
                            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inheritable,
                            OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return;
  const int fd = _open_osfhandle(reinterpret_cast<intptr_t>(file), _O_WRONLY | _O_APPEND);
  if (fd < 0) {
    CloseHandle(file);
    return;
  }
  if (fd != 2) {
    const int duplicated = _dup2(fd, 2);
    _close(fd);
    if (duplicated != 0) return;
  }
  std::fflush(stderr);
  if (_fileno(stderr) != 2) stderr->_file = 2;
#else
  // The Universal CRT reopens a stream that had no descriptor.
  if (_wfreopen(wide.c_str(), L"a", stderr) == nullptr) return;
#endif
  std::setvbuf(stderr, nullptr, _IONBF, 0);
  const intptr_t handle = _get_osfhandle(_fileno(stderr));
  if (handle != -1) SetStdHandle(STD_ERROR_HANDLE, reinterpret_cast<HANDLE>(handle));
}

void WINAPI service_main(DWORD /*argc*/, wchar_t** /*argv*/) {
  const std::wstring name = os::win::widen(kServiceName);
  g_state.handle = RegisterServiceCtrlHandlerExW(name.c_str(), on_control, nullptr);
  if (g_state.handle == nullptr) {
    g_exit_code = 1;
    return;
  }
  redirect_stderr(service_stderr_path());
  {
    std::lock_guard lock(g_state.mutex);
    report_locked(SERVICE_START_PENDING);
  }
  std::thread ticker(tick_checkpoints);
  // RUNNING once the daemon takes control signals (its control pipe listens by then), and
  // STOP_PENDING once it is done, if it stopped by itself (supctl shutdown).
  os::win::set_signal_watcher_listener([](bool up) {
    std::lock_guard lock(g_state.mutex);
    const DWORD state = current_state_locked();
    if (up && state == SERVICE_START_PENDING) report_locked(SERVICE_RUNNING);
    if (!up && state != SERVICE_STOP_PENDING) report_locked(SERVICE_STOP_PENDING);
  });

  const int code = (*g_run_daemon)();

  os::win::set_signal_watcher_listener({});
  {
    std::lock_guard lock(g_state.mutex);
    g_state.finished = true;
  }
  g_state.stopped.notify_all();
  ticker.join();
  g_exit_code = code;
  std::fflush(stderr);
  // The last report: the dispatcher returns in main once the SCM has it.
  std::lock_guard lock(g_state.mutex);
  report_locked(SERVICE_STOPPED, code);
}

}  // namespace

std::string service_stderr_path() {
  return os::win::narrow(
      (std::filesystem::path(os::win::widen(os::default_log_dir())) / L"supd.stderr.log")
          .wstring());
}

int run_as_service(const std::function<int()>& run_daemon) {
  g_run_daemon = &run_daemon;
  std::wstring name = os::win::widen(kServiceName);
  SERVICE_TABLE_ENTRYW table[] = {{name.data(), service_main}, {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherW(table)) {
    if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
      std::cerr << "supd: " << kServiceFlag
                << " is for the service control manager; start the service with `sc start "
                << kServiceName << "`, or run supd without it\n";
    } else {
      std::cerr << "supd: " << os::last_error("connect to the service control manager").message()
                << "\n";
    }
    return 1;
  }
  return g_exit_code;
}

}  // namespace supd::service
