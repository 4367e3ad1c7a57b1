#include "os/win/environment.h"

#include <windows.h>

#include <algorithm>

#include "os/win/wide.h"

namespace supd::os::win {
namespace {

bool same_name(std::wstring_view a, std::wstring_view b) {
  return CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                              static_cast<int>(b.size()), TRUE) == CSTR_EQUAL;
}

bool name_less(const EnvVar& a, const EnvVar& b) {
  return CompareStringOrdinal(a.name.data(), static_cast<int>(a.name.size()), b.name.data(),
                              static_cast<int>(b.name.size()), TRUE) == CSTR_LESS_THAN;
}

std::vector<EnvVar> own_environment() {
  std::vector<EnvVar> vars;
  wchar_t* block = GetEnvironmentStringsW();
  if (block == nullptr) return vars;
  for (const wchar_t* p = block; *p != L'\0';) {
    std::wstring_view entry(p);
    p += entry.size() + 1;
    // Hidden per-drive entries ("=C:=C:\dir") start with '=': their name runs to the
    // second '='.
    const std::size_t eq = entry.find(L'=', 1);
    if (eq == std::wstring_view::npos) continue;
    vars.push_back({std::wstring(entry.substr(0, eq)), std::wstring(entry.substr(eq + 1))});
  }
  FreeEnvironmentStringsW(block);
  return vars;
}

}  // namespace

Result<std::vector<EnvVar>> child_environment(
    bool inherit, const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<EnvVar> vars;
  if (inherit) vars = own_environment();
  for (const auto& [name, value] : overrides) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos) {
      return Error{{ERROR_INVALID_PARAMETER, std::system_category()},
                   "env: invalid variable name \"" + name + "\""};
    }
    if (value.find('\0') != std::string::npos) {
      return Error{{ERROR_INVALID_PARAMETER, std::system_category()},
                   "env: the value of " + name + " contains a NUL character"};
    }
    std::wstring wname = widen(name);
    std::wstring wvalue = widen(value);
    auto it = std::find_if(vars.begin(), vars.end(),
                           [&](const EnvVar& v) { return same_name(v.name, wname); });
    if (it != vars.end()) {
      it->value = std::move(wvalue);
    } else {
      vars.push_back({std::move(wname), std::move(wvalue)});
    }
  }
  return vars;
}

const std::wstring* find_variable(const std::vector<EnvVar>& vars, std::wstring_view name) {
  for (const EnvVar& v : vars) {
    if (same_name(v.name, name)) return &v.value;
  }
  return nullptr;
}

std::wstring environment_block(std::vector<EnvVar> vars) {
  std::stable_sort(vars.begin(), vars.end(), name_less);
  std::wstring block;
  for (const EnvVar& v : vars) {
    block += v.name;
    block += L'=';
    block += v.value;
    block += L'\0';
  }
  // An empty environment is two NULs; c_str() adds the second one in every case.
  block += L'\0';
  return block;
}

}  // namespace supd::os::win
