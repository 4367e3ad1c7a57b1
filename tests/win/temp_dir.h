// A fresh directory under %TEMP% for one test, removed with everything in it afterwards.
#pragma once

#include <windows.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "os/win/wide.h"

namespace supd::os::test {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    wchar_t temp[MAX_PATH];
    GetTempPathW(MAX_PATH, temp);
    path_ =
        std::filesystem::path(temp) / (L"supd-win-test-" + std::to_wstring(GetCurrentProcessId()) +
                                       L"-" + std::to_wstring(++counter));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The UTF-8 path of `name` in the directory.
  std::string file(const std::string& name) const {
    return win::narrow((path_ / win::widen(name)).wstring());
  }
  std::string path() const { return win::narrow(path_.wstring()); }

 private:
  std::filesystem::path path_;
};

}  // namespace supd::os::test
