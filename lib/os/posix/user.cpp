// User and group lookups through the reentrant getpw*_r / getgr*_r calls, so they are safe
// from any thread.
#include "os/user.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <charconv>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace supd::os {
namespace {

constexpr std::size_t kFirstBufferSize = 1024;
constexpr std::size_t kMaxBufferSize = 1 << 20;

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t id = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, id);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return id;
}

// Calls a getpw*_r / getgr*_r style `lookup(buffer, size) -> (error, found)` with a buffer
// that grows while the entry does not fit. Returns 0 or the error number.
template <class Lookup>
int with_buffer(std::vector<char>& buffer, Lookup lookup) {
  buffer.resize(kFirstBufferSize);
  for (;;) {
    int error = lookup(buffer.data(), buffer.size());
    if (error != ERANGE || buffer.size() >= kMaxBufferSize) return error;
    buffer.resize(buffer.size() * 2);
  }
}

UserInfo to_user(const passwd& pw) {
  return UserInfo{static_cast<UserId>(pw.pw_uid), static_cast<GroupId>(pw.pw_gid), pw.pw_name,
                  pw.pw_dir != nullptr ? pw.pw_dir : ""};
}

// The account with this uid; nullopt when there is none. `error` gets a system failure.
std::optional<UserInfo> user_by_id(UserId uid, int& error) {
  std::vector<char> buffer;
  passwd pw{};
  passwd* found = nullptr;
  error = with_buffer(buffer, [&](char* data, std::size_t size) {
    return ::getpwuid_r(static_cast<uid_t>(uid), &pw, data, size, &found);
  });
  if (error != 0 || found == nullptr) return std::nullopt;
  return to_user(pw);
}

std::optional<UserInfo> user_by_name(const std::string& name, int& error) {
  std::vector<char> buffer;
  passwd pw{};
  passwd* found = nullptr;
  error = with_buffer(buffer, [&](char* data, std::size_t size) {
    return ::getpwnam_r(name.c_str(), &pw, data, size, &found);
  });
  if (error != 0 || found == nullptr) return std::nullopt;
  return to_user(pw);
}

// A lookup that found nothing returns 0 or, on some systems, one of these: that is "no such
// entry", not a failure.
bool is_failure(int error) {
  return error != 0 && error != ENOENT && error != ESRCH && error != EBADF && error != EPERM;
}

Error lookup_error(int error, std::string what) {
  return Error{std::error_code(error, std::generic_category()), std::move(what)};
}

}  // namespace

bool running_as_root() { return ::geteuid() == 0; }

Result<UserInfo> lookup_user(std::string_view name_or_id) {
  const std::string name(name_or_id);
  int error = 0;
  if (auto user = user_by_name(name, error)) return *user;
  if (is_failure(error)) {
    return lookup_error(error, "look up user \"" + name + "\"");
  }
  if (auto uid = parse_id(name_or_id)) {
    if (auto user = user_by_id(*uid, error)) return *user;
    if (is_failure(error)) {
      return lookup_error(error, "look up uid " + name);
    }
    return Error{{}, "no user with uid " + name};
  }
  return Error{{}, "unknown user \"" + name + "\""};
}

Result<GroupInfo> lookup_group(std::string_view name_or_id) {
  const std::string name(name_or_id);
  std::vector<char> buffer;
  group gr{};
  group* found = nullptr;
  int error = with_buffer(buffer, [&](char* data, std::size_t size) {
    return ::getgrnam_r(name.c_str(), &gr, data, size, &found);
  });
  if (error == 0 && found != nullptr) return GroupInfo{static_cast<GroupId>(gr.gr_gid), gr.gr_name};
  auto gid = parse_id(name_or_id);
  if (!gid) {
    if (is_failure(error)) {
      return lookup_error(error, "look up group \"" + name + "\"");
    }
    return Error{{}, "unknown group \"" + name + "\""};
  }
  error = with_buffer(buffer, [&](char* data, std::size_t size) {
    return ::getgrgid_r(static_cast<gid_t>(*gid), &gr, data, size, &found);
  });
  if (error == 0 && found != nullptr) return GroupInfo{static_cast<GroupId>(gr.gr_gid), gr.gr_name};
  if (is_failure(error)) {
    return lookup_error(error, "look up gid " + name);
  }
  return Error{{}, "no group with gid " + name};
}

bool user_in_group(UserId uid, GroupId gid) {
  int error = 0;
  std::optional<UserInfo> user = user_by_id(uid, error);
  if (!user) return false;
  if (user->gid == gid) return true;
#if defined(__APPLE__)
  using ListGid = int;  // macOS declares getgrouplist with int
#else
  using ListGid = gid_t;
#endif
  std::vector<ListGid> groups(32);
  for (;;) {
    int count = static_cast<int>(groups.size());
    int listed =
        ::getgrouplist(user->name.c_str(), static_cast<ListGid>(user->gid), groups.data(), &count);
    if (listed >= 0) {
      groups.resize(static_cast<std::size_t>(count));
      break;
    }
    // Too small: glibc says how many it needs in `count`; elsewhere, grow and retry.
    std::size_t needed = static_cast<std::size_t>(count);
    groups.resize(needed > groups.size() ? needed : groups.size() * 2);
    if (groups.size() > 65536) return false;
  }
  for (ListGid g : groups) {
    if (static_cast<GroupId>(g) == gid) return true;
  }
  return false;
}

std::string current_user_name() {
  const uid_t uid = ::geteuid();
  int error = 0;
  if (auto user = user_by_id(static_cast<UserId>(uid), error)) return user->name;
  return std::to_string(uid);
}

}  // namespace supd::os
