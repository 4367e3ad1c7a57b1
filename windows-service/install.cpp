// supd install-service / uninstall-service: registering supd with the service control
// manager and removing it again.
#include <windows.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "os/win/wide.h"
#include "windows-service/service.h"

namespace supd::service {
namespace {

using os::Error;

struct CloseServiceHandleDeleter {
  void operator()(SC_HANDLE h) const { CloseServiceHandle(h); }
};
using ScHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, CloseServiceHandleDeleter>;

Error plain_error(std::string what) { return Error{std::error_code(), std::move(what)}; }

const std::wstring& service_name() {
  static const std::wstring name = os::win::widen(kServiceName);
  return name;
}

Error not_permitted(const std::string& what) {
  return plain_error(what + ": not permitted: changing services needs an administrator (run " +
                     "it from an elevated command prompt)");
}

// The SCM, with `access`; "not permitted" when the caller may not.
os::Result<ScHandle> open_manager(DWORD access, const std::string& what) {
  ScHandle manager(OpenSCManagerW(nullptr, nullptr, access));
  if (!manager) {
    if (GetLastError() == ERROR_ACCESS_DENIED) return not_permitted(what);
    return os::last_error(what + ": open the service control manager");
  }
  return manager;
}

std::wstring quoted(const std::wstring& s) { return L"\"" + s + L"\""; }

std::wstring own_executable() {
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n < path.size()) {
      path.resize(n);
      return path;
    }
    path.resize(path.size() * 2);
  }
}

// The settings past the basics; the service works without them, so failures are warnings.
void describe_and_set_recovery(SC_HANDLE service, std::vector<std::string>& warnings) {
  std::wstring description =
      L"supd keeps the services of its config running: starts them, restarts them when they "
      L"fail, and stops them in order.";
  SERVICE_DESCRIPTIONW text{description.data()};
  if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_DESCRIPTION, &text)) {
    warnings.push_back(os::last_error("set the service's description").message());
  }
  // If supd itself fails (a crash: no SERVICE_STOPPED report), the SCM starts it again
  // after 5 s, every time; the count of failures is forgotten after a day.
  SC_ACTION restart[3] = {
      {SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 5000}};
  SERVICE_FAILURE_ACTIONSW actions{};
  actions.dwResetPeriod = 24 * 60 * 60;
  actions.cActions = 3;
  actions.lpsaActions = restart;
  if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS, &actions)) {
    warnings.push_back(
        os::last_error("set the service's recovery (restart when supd fails)").message());
  }
}

}  // namespace

os::Result<Installed> install(const std::string& config_path) {
  const std::string what = "install-service";
  std::error_code ec;
  const std::filesystem::path config =
      std::filesystem::absolute(std::filesystem::path(os::win::widen(config_path)), ec);
  if (ec) return Error{ec, what + ": " + config_path};
  if (!std::filesystem::is_regular_file(config, ec)) {
    return plain_error(what + ": the config file " + os::win::narrow(config.wstring()) +
                       " does not exist (give one with -c FILE)");
  }
  const std::wstring command_line = quoted(own_executable()) + L" " + os::win::widen(kServiceFlag) +
                                    L" -c " + quoted(config.lexically_normal().wstring());

  auto manager = open_manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE, what);
  if (!manager) return manager.error();
  ScHandle service(
      CreateServiceW(manager->get(), service_name().c_str(), L"supd process supervisor",
                     SERVICE_CHANGE_CONFIG | SERVICE_QUERY_STATUS, SERVICE_WIN32_OWN_PROCESS,
                     SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, command_line.c_str(), nullptr,
                     nullptr, nullptr, nullptr /* LocalSystem */, nullptr));
  if (!service) {
    switch (GetLastError()) {
      case ERROR_ACCESS_DENIED:
        return not_permitted(what);
      case ERROR_SERVICE_EXISTS:
      case ERROR_DUPLICATE_SERVICE_NAME:
        return plain_error(what + ": a service named " + std::string(kServiceName) +
                           " is already installed (supd uninstall-service removes it)");
      case ERROR_SERVICE_MARKED_FOR_DELETE:
        return plain_error(what + ": the service " + std::string(kServiceName) +
                           " is still being removed; close what holds it open (the Services "
                           "console) and try again");
      default:
        return os::last_error(what + ": create the service " + std::string(kServiceName));
    }
  }
  Installed out;
  out.command_line = os::win::narrow(command_line);
  describe_and_set_recovery(service.get(), out.warnings);
  return out;
}

os::Status uninstall(std::chrono::seconds stop_wait) {
  const std::string what = "uninstall-service";
  auto manager = open_manager(SC_MANAGER_CONNECT, what);
  if (!manager) return manager.error();
  ScHandle service(OpenServiceW(manager->get(), service_name().c_str(),
                                DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS));
  if (!service) {
    switch (GetLastError()) {
      case ERROR_SERVICE_DOES_NOT_EXIST:
        return plain_error(what + ": no service named " + std::string(kServiceName) +
                           " is installed");
      case ERROR_ACCESS_DENIED:
        return not_permitted(what);
      default:
        return os::last_error(what + ": open the service " + std::string(kServiceName));
    }
  }
  // Stopped first, so that removing it never leaves supd and its services running.
  SERVICE_STATUS status{};
  if (!QueryServiceStatus(service.get(), &status)) {
    return os::last_error(what + ": ask whether " + std::string(kServiceName) + " runs");
  }
  if (status.dwCurrentState != SERVICE_STOPPED) {
    if (status.dwCurrentState != SERVICE_STOP_PENDING &&
        !ControlService(service.get(), SERVICE_CONTROL_STOP, &status) &&
        GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
      return os::last_error(what + ": stop the service " + std::string(kServiceName));
    }
    const auto deadline = std::chrono::steady_clock::now() + stop_wait;
    while (QueryServiceStatus(service.get(), &status) && status.dwCurrentState != SERVICE_STOPPED) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return plain_error(what + ": the service " + std::string(kServiceName) +
                           " did not stop within " + std::to_string(stop_wait.count()) +
                           " s; it was left installed");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (!DeleteService(service.get())) {
    if (GetLastError() == ERROR_SERVICE_MARKED_FOR_DELETE) return {};
    return os::last_error(what + ": remove the service " + std::string(kServiceName));
  }
  return {};
}

}  // namespace supd::service
