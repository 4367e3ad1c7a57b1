#include "os/win/program_search.h"

#include <windows.h>

#include "os/win/wide.h"

namespace supd::os::win {
namespace {

bool is_separator(wchar_t c) { return c == L'\\' || c == L'/'; }

bool has_directory(std::wstring_view name) {
  return name.find_first_of(L"\\/") != std::wstring_view::npos ||
         (name.size() >= 2 && name[1] == L':');
}

bool is_absolute(std::wstring_view path) {
  return (path.size() >= 2 && path[1] == L':') || (!path.empty() && is_separator(path[0]));
}

bool has_extension(std::wstring_view path) {
  const std::size_t last_separator = path.find_last_of(L"\\/:");
  const std::size_t dot = path.find_last_of(L'.');
  return dot != std::wstring_view::npos &&
         (last_separator == std::wstring_view::npos || dot > last_separator);
}

std::wstring full_path(const std::wstring& path) {
  const DWORD n = GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (n == 0) return path;
  std::wstring out(n, L'\0');
  const DWORD written = GetFullPathNameW(path.c_str(), n, out.data(), nullptr);
  out.resize(written < n ? written : 0);
  return out.empty() ? path : out;
}

bool is_file(const std::wstring& path) {
  const DWORD attributes = GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

// `path` itself when it names a file, else path.exe when it has no extension.
std::wstring existing_program(const std::wstring& path) {
  if (is_file(path)) return path;
  if (!has_extension(path) && is_file(path + L".exe")) return path + L".exe";
  return {};
}

std::wstring join(std::wstring dir, const std::wstring& name) {
  if (!dir.empty() && !is_separator(dir.back())) dir += L'\\';
  return dir + name;
}

Error not_found(const std::string& name, const std::string& why) {
  return Error{{ERROR_FILE_NOT_FOUND, std::system_category()}, "spawn " + name + why};
}

}  // namespace

Result<std::wstring> find_program(const std::string& name, const std::wstring& cwd,
                                  const std::vector<EnvVar>& env) {
  const std::wstring wname = widen(name);
  if (wname.empty()) return not_found(name, "");
  if (has_directory(wname)) {
    const std::wstring path = is_absolute(wname) || cwd.empty() ? wname : join(cwd, wname);
    std::wstring found = existing_program(full_path(path));
    if (found.empty()) return not_found(name, "");
    return found;
  }
  const std::wstring* path_list = find_variable(env, L"PATH");
  if (path_list == nullptr || path_list->empty()) {
    return not_found(name, ": not found (PATH is not set)");
  }
  std::size_t start = 0;
  while (start <= path_list->size()) {
    std::size_t end = path_list->find(L';', start);
    if (end == std::wstring::npos) end = path_list->size();
    std::wstring dir = path_list->substr(start, end - start);
    start = end + 1;
    // Entries may be quoted ("C:\Program Files\x";...).
    if (dir.size() >= 2 && dir.front() == L'"' && dir.back() == L'"') {
      dir = dir.substr(1, dir.size() - 2);
    }
    if (dir.empty()) continue;
    std::wstring found = existing_program(full_path(join(dir, wname)));
    if (!found.empty()) return found;
  }
  return not_found(name, ": not found in PATH");
}

}  // namespace supd::os::win
