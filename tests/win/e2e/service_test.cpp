// supd as a Windows service, through the real service control manager: install-service,
// sc start, supctl status, reload and reopen-logs controls, sc stop, uninstall-service; and a
// service that cannot start reports why with its exit code.
#include <windows.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e_util.h"
#include "temp_dir.h"

namespace supd::e2e {
namespace {

using namespace std::chrono_literals;

std::optional<ToolRun> sc(std::vector<std::string> args) {
  return run_tool(system_program(L"sc.exe"), std::move(args));
}

// The service's state as the SCM reports it (SERVICE_RUNNING...); 0 when it is not
// installed or cannot be asked.
DWORD service_state(SERVICE_STATUS* out = nullptr) {
  SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (manager == nullptr) return 0;
  SC_HANDLE service = OpenServiceW(manager, L"supd", SERVICE_QUERY_STATUS);
  SERVICE_STATUS status{};
  const bool ok = service != nullptr && QueryServiceStatus(service, &status);
  if (service != nullptr) CloseServiceHandle(service);
  CloseServiceHandle(manager);
  if (out != nullptr) *out = status;
  return ok ? status.dwCurrentState : 0;
}

bool installed() {
  SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (manager == nullptr) return false;
  SC_HANDLE service = OpenServiceW(manager, L"supd", SERVICE_QUERY_STATUS);
  const bool found = service != nullptr;
  if (service != nullptr) CloseServiceHandle(service);
  CloseServiceHandle(manager);
  return found;
}

// ControlService, as `sc control supd <code>` would (Wine's sc.exe has no `control`).
bool send_control(DWORD control) {
  SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (manager == nullptr) return false;
  SC_HANDLE service =
      OpenServiceW(manager, L"supd", SERVICE_PAUSE_CONTINUE | SERVICE_USER_DEFINED_CONTROL);
  SERVICE_STATUS status{};
  const bool ok = service != nullptr && ControlService(service, control, &status);
  if (service != nullptr) CloseServiceHandle(service);
  CloseServiceHandle(manager);
  return ok;
}

bool wait_for_state(DWORD state, std::chrono::seconds timeout = 60s) {
  return os::test::wait_until([&] { return service_state() == state; }, timeout);
}

class SupdService : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!os::test::running_under_wine()) {
      // On a real machine this needs an administrator and must not touch a supd service
      // that is really installed there.
      if (installed()) GTEST_SKIP() << "a supd service is installed on this machine";
      SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE);
      if (manager == nullptr) GTEST_SKIP() << "installing a service needs an administrator";
      CloseServiceHandle(manager);
    } else if (installed()) {
      // Left by an earlier run of this test that was cut short (the Wine prefix is kept).
      supd({"uninstall-service"});
    }
    config_ = dir_.file("supd.yaml");
    page_ = dir_.file("supd.status");
  }

  void TearDown() override {
    if (installed()) supd({"uninstall-service"});
  }

  void write_config(const std::string& services) {
    ASSERT_TRUE(write_text(config_,
                           "supd:\n"
                           "  control: " +
                               yaml_quoted(dir_.file("supd.sock")) +
                               "\n"
                               "  status_page: " +
                               yaml_quoted(page_) +
                               "\n"
                               "  log_dir: " +
                               yaml_quoted(dir_.file("log")) +
                               "\n"
                               "  log_file: " +
                               yaml_quoted(dir_.file("supd.log")) +
                               "\n"
                               "services:\n" +
                               services));
  }

  std::string supd_log() const {
    return "supd's log:\n" + read_text(dir_.file("supd.log")) + "\nsupd's stderr (tail):\n" +
           tail(service_stderr());
  }

  static std::string tail(const std::string& text) {
    return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
  }

  // What the service wrote to its standard error (windows-service/service.h:
  // %ProgramData%\supd\log\supd.stderr.log, in the SCM's environment, which under Wine
  // says C:\users\Public where a user's says C:\ProgramData).
  static std::string service_stderr() {
    std::string text;
    for (const wchar_t* variable : {L"ProgramData", L"PUBLIC"}) {
      wchar_t data[MAX_PATH];
      const DWORD n = GetEnvironmentVariableW(variable, data, MAX_PATH);
      if (n == 0 || n >= MAX_PATH) continue;
      text += read_text(os::win::narrow(std::wstring(data, n) + L"\\supd\\log\\supd.stderr.log"));
    }
    return text;
  }

  os::test::TempDir dir_;
  std::string config_;
  std::string page_;
};

TEST_F(SupdService, InstallStartStatusStopUninstall) {
  write_config(
      "  worker:\n"
      "    command: [" +
      yaml_quoted(os::test::child_program()) +
      ", grandchild, sleep, '600000']\n"
      "    start_secs: 200ms\n");

  auto install = supd({"install-service", "-c", config_});
  ASSERT_TRUE(install);
  ASSERT_EQ(install->code, 0) << *install;
  EXPECT_NE(install->out.find("installed the service supd"), std::string::npos) << *install;
  EXPECT_NE(install->out.find("--service -c \"" + config_ + "\""), std::string::npos) << *install;
  EXPECT_EQ(service_state(), static_cast<DWORD>(SERVICE_STOPPED));

  auto again = supd({"install-service", "-c", config_});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->code, 1) << *again;
  EXPECT_NE(again->err.find("a service named supd is already installed"), std::string::npos)
      << *again;

  auto start = sc({"start", "supd"});
  ASSERT_TRUE(start);
  EXPECT_EQ(start->code, 0) << *start;
  ASSERT_TRUE(wait_for_state(SERVICE_RUNNING)) << "state " << service_state() << "\n" << supd_log();
  auto query = sc({"query", "supd"});
  ASSERT_TRUE(query);
  EXPECT_NE(query->out.find("RUNNING"), std::string::npos) << *query;

  // supctl finds the service's supd through the config and reads its status.
  auto worker = wait_for_service(page_, "worker", is_running);
  ASSERT_TRUE(worker && is_running(*worker)) << supd_log();
  auto status = supctl({"-c", config_, "status"});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0) << *status;
  EXPECT_NE(status->out.find("worker"), std::string::npos) << *status;
  EXPECT_NE(status->out.find("running"), std::string::npos) << *status;
  auto ping = supctl({"-c", config_, "--json", "status"});
  ASSERT_TRUE(ping);
  EXPECT_NE(ping->out.find("\"running\""), std::string::npos) << *ping;

  // PARAMCHANGE reloads the config (as SIGHUP); control 128 reopens the logs (as SIGUSR1).
  const std::string log = dir_.file("supd.log");
  EXPECT_TRUE(send_control(SERVICE_CONTROL_PARAMCHANGE)) << GetLastError();
  EXPECT_TRUE(os::test::wait_until(
      [&] { return read_text(log).find("SIGHUP: reloading") != std::string::npos; }, 30s))
      << supd_log();
  EXPECT_TRUE(send_control(128)) << GetLastError();
  EXPECT_TRUE(os::test::wait_until(
      [&] { return read_text(log).find("SIGUSR1: reopening") != std::string::npos; }, 30s))
      << supd_log();

  // sc stop: the daemon's graceful shutdown; the service and its grandchild go with it.
  const os::Pid worker_pid = worker->pid;
  auto stop = sc({"stop", "supd"});
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->code, 0) << *stop;
  ASSERT_TRUE(wait_for_state(SERVICE_STOPPED)) << "state " << service_state() << "\n" << supd_log();
  SERVICE_STATUS stopped{};
  service_state(&stopped);
  EXPECT_EQ(stopped.dwWin32ExitCode, static_cast<DWORD>(NO_ERROR));
  EXPECT_TRUE(os::test::wait_until([&] { return !os::process_exists(worker_pid); }, 10s));
  EXPECT_NE(read_text(dir_.file("supd.log")).find("supd stopped"), std::string::npos) << supd_log();

  auto uninstall = supd({"uninstall-service"});
  ASSERT_TRUE(uninstall);
  EXPECT_EQ(uninstall->code, 0) << *uninstall;
  EXPECT_NE(uninstall->out.find("removed the service supd"), std::string::npos) << *uninstall;
  EXPECT_TRUE(os::test::wait_until([] { return !installed(); }, 30s));
  auto gone = supd({"uninstall-service"});
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->code, 1) << *gone;
  EXPECT_NE(gone->err.find("no service named supd is installed"), std::string::npos) << *gone;
}

// A config supd refuses: the service stops at once, its exit code (2, a config error) in
// the SCM's record.
TEST_F(SupdService, AFailedStartIsReportedWithTheExitCode) {
  write_config(
      "  worker:\n"
      "    command: [" +
      yaml_quoted(os::test::child_program()) +
      "]\n"
      "    restart: sometimes\n");
  auto install = supd({"install-service", "-c", config_});
  ASSERT_TRUE(install);
  ASSERT_EQ(install->code, 0) << *install;
  auto start = sc({"start", "supd"});
  ASSERT_TRUE(start);
  SERVICE_STATUS status{};
  ASSERT_TRUE(os::test::wait_until(
      [&] { return service_state(&status) == SERVICE_STOPPED && status.dwWin32ExitCode != 0; },
      60s))
      << *start << "\nstate " << status.dwCurrentState << "\n"
      << supd_log();
  EXPECT_EQ(status.dwWin32ExitCode, static_cast<DWORD>(ERROR_SERVICE_SPECIFIC_ERROR));
  EXPECT_EQ(status.dwServiceSpecificExitCode, 2u);
  EXPECT_NE(service_stderr().find(config_ + ": not starting"), std::string::npos) << supd_log();
}

TEST(SupdServiceCommands, RunningAsAServiceOutsideTheScmSaysHowToStartIt) {
  auto run = supd({"--service"});
  ASSERT_TRUE(run);
  EXPECT_EQ(run->code, 1) << *run;
  EXPECT_NE(run->err.find("sc start supd"), std::string::npos) << *run;
}

TEST(SupdServiceCommands, InstallNeedsAnExistingConfig) {
  os::test::TempDir dir;
  auto run = supd({"install-service", "-c", dir.file("missing.yaml")});
  ASSERT_TRUE(run);
  EXPECT_EQ(run->code, 1) << *run;
  EXPECT_NE(run->err.find(dir.file("missing.yaml") + " does not exist"), std::string::npos) << *run;
}

}  // namespace
}  // namespace supd::e2e
