// Working out a spawn before fork(): environment, executable path, identity, limits.
#include "os/posix/spawn_plan.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <string_view>
#include <utility>

// Not every libc declares it (macOS does not).
extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace supd::os::posix {
namespace {

// What execvp() would use without PATH, plus the sbin directories a service may live in.
constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Without close_range(), how high the child looks for descriptors to close when the limit on
// open files is unlimited or huge.
constexpr rlim_t kCloseFdsCap = 65536;

Error invalid(std::string what) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(what)};
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// "123" -> 123; anything else (names, overflow) -> nullopt.
template <class T>
std::optional<T> parse_id(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// ---- environment ----

void set_env(std::vector<std::string>& env, std::string_view name, std::string_view value) {
  std::string entry = std::string(name) + "=" + std::string(value);
  for (std::string& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

std::optional<std::string_view> get_env(const std::vector<std::string>& env,
                                        std::string_view name) {
  for (const std::string& e : env) {
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      return std::string_view(e).substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

Status check_env(const ProcessSpec& spec) {
  for (const auto& [name, value] : spec.env) {
    if (name.empty() || name.find('=') != std::string::npos || has_nul(name)) {
      return invalid("env: invalid variable name '" + name + "'");
    }
    if (has_nul(value)) return invalid("env " + name + ": the value contains a NUL byte");
  }
  return {};
}

// ---- executable ----

// argv[0] with a slash is used as is (relative to the child's cwd, as execve() sees it);
// a bare name is looked up in the PATH the child will have, here, before fork().
Result<std::string> find_executable(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  const std::string_view path = get_env(env, "PATH").value_or(kDefaultPath);
  std::string denied;  // a match that is not executable, reported if nothing better is found
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = path.find(':', start);
    std::string_view dir =
        path.substr(start, colon == std::string_view::npos ? path.npos : colon - start);
    if (dir.empty()) dir = ".";  // POSIX: an empty PATH element is the current directory
    std::string candidate = std::string(dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      if (denied.empty()) denied = std::move(candidate);
    }
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (!denied.empty()) {
    return Error{std::make_error_code(std::errc::permission_denied), "spawn " + denied};
  }
  return Error{std::make_error_code(std::errc::no_such_file_or_directory),
               "spawn " + name + " (searched PATH=" + std::string(path) + ")"};
}

// ---- identity ----

struct UserEntry {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
};

// The passwd entry for a name or number. nullopt: no such entry.
Result<std::optional<UserEntry>> find_user(const std::string& user) {
  std::vector<char> buffer(16384);
  for (;;) {
    passwd pw{};
    passwd* found = nullptr;
    const std::optional<uid_t> number = parse_id<uid_t>(user);
    int rc = number ? ::getpwuid_r(*number, &pw, buffer.data(), buffer.size(), &found)
                    : ::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 24)) {
      buffer.resize(buffer.size() * 4);
      continue;
    }
    // "Not found" is reported variously as 0, ENOENT, ESRCH, EBADF or EPERM.
    if (found != nullptr) {
      return std::optional<UserEntry>(UserEntry{pw.pw_uid, pw.pw_gid, pw.pw_name, pw.pw_dir});
    }
    if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
      return std::optional<UserEntry>();
    }
    return Error{std::error_code(rc, std::generic_category()), "look up user '" + user + "'"};
  }
}

// The gid for a group name or number. nullopt: no such group.
Result<std::optional<gid_t>> find_group(const std::string& group) {
  std::vector<char> buffer(16384);
  for (;;) {
    struct group gr {};
    struct group* found = nullptr;
    const std::optional<gid_t> number = parse_id<gid_t>(group);
    int rc = number ? ::getgrgid_r(*number, &gr, buffer.data(), buffer.size(), &found)
                    : ::getgrnam_r(group.c_str(), &gr, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE && buffer.size() < (1u << 24)) {
      buffer.resize(buffer.size() * 4);
      continue;
    }
    if (found != nullptr) return std::optional<gid_t>(gr.gr_gid);
    if (number) return std::optional<gid_t>(*number);  // a bare number needs no entry
    if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
      return std::optional<gid_t>();
    }
    return Error{std::error_code(rc, std::generic_category()), "look up group '" + group + "'"};
  }
}

// The user's supplementary groups, as initgroups() would set them (always including gid).
std::vector<gid_t> group_list(const std::string& name, gid_t gid) {
  int count = 64;
  for (;;) {
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    int n = count;
#ifdef __APPLE__
    // macOS declares the list as int.
    const int rc = ::getgrouplist(name.c_str(), static_cast<int>(gid),
                                  reinterpret_cast<int*>(groups.data()), &n);
#else
    const int rc = ::getgrouplist(name.c_str(), gid, groups.data(), &n);
#endif
    if (rc >= 0) {
      groups.resize(static_cast<std::size_t>(n));
      return groups;
    }
    if (count >= 65536) return {gid};
    count = std::max(n, count * 2);
  }
}

// The identity to switch to, and HOME/USER/LOGNAME to go with it. nullopt: keep supd's.
// Only root can switch; anyone may name their own user or group.
Result<std::optional<Credentials>> plan_credentials(const ProcessSpec& spec,
                                                    std::vector<std::string>& env) {
  if (spec.user.empty() && spec.group.empty()) return std::optional<Credentials>();
  const bool root = ::geteuid() == 0;
  Credentials creds;
  creds.uid = ::geteuid();
  creds.gid = ::getegid();
  creds.user = spec.user;
  std::optional<UserEntry> entry;
  if (!spec.user.empty()) {
    Result<std::optional<UserEntry>> found = find_user(spec.user);
    if (!found) return found.error();
    entry = *found;
    const std::optional<uid_t> number = parse_id<uid_t>(spec.user);
    if (!entry && !number) return Error{{}, "unknown user '" + spec.user + "'"};
    creds.uid = entry ? entry->uid : *number;
    // A bare number with no passwd entry gets the group of the same number.
    creds.gid = entry ? entry->gid : static_cast<gid_t>(*number);
    if (!root && creds.uid != ::geteuid()) {
      return Error{{}, "user: supd is not root, cannot run as '" + spec.user + "'"};
    }
  }
  if (!spec.group.empty()) {
    Result<std::optional<gid_t>> found = find_group(spec.group);
    if (!found) return found.error();
    if (!*found) return Error{{}, "unknown group '" + spec.group + "'"};
    creds.gid = **found;
    if (!root && creds.gid != ::getegid()) {
      return Error{{}, "group: supd is not root, cannot run as group '" + spec.group + "'"};
    }
  }
  if (!root) return std::optional<Credentials>();  // nothing to change: it is supd's own
  creds.groups = entry ? group_list(entry->name, creds.gid) : std::vector<gid_t>{creds.gid};
  if (entry && !spec.user.empty()) {
    set_env(env, "HOME", entry->home);
    set_env(env, "USER", entry->name);
    set_env(env, "LOGNAME", entry->name);
  }
  return std::optional<Credentials>(std::move(creds));
}

// ---- resource limits ----

struct LimitName {
  const char* name;
  int resource;
};

constexpr LimitName kLimitNames[] = {
    {"nofile", RLIMIT_NOFILE}, {"core", RLIMIT_CORE},       {"nproc", RLIMIT_NPROC},
    {"as", RLIMIT_AS},         {"fsize", RLIMIT_FSIZE},     {"cpu", RLIMIT_CPU},
    {"stack", RLIMIT_STACK},   {"memlock", RLIMIT_MEMLOCK},
};

Result<std::vector<PlannedLimit>> plan_limits(const std::vector<ResourceLimit>& limits) {
  std::vector<PlannedLimit> planned;
  for (const ResourceLimit& limit : limits) {
    const auto* known = std::find_if(std::begin(kLimitNames), std::end(kLimitNames),
                                     [&](const LimitName& n) { return limit.name == n.name; });
    if (known == std::end(kLimitNames)) {
      return invalid("limits: unknown resource '" + limit.name +
                     "' (known: nofile core nproc as fsize cpu stack memlock)");
    }
    PlannedLimit p;
    p.resource = known->resource;
    rlim_t value = RLIM_INFINITY;
    if (limit.value && *limit.value < static_cast<std::uint64_t>(RLIM_INFINITY)) {
      value = static_cast<rlim_t>(*limit.value);
    }
    p.value.rlim_cur = value;
    p.value.rlim_max = value;
    p.what = "setrlimit " + limit.name + " " +
             (value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(*limit.value));
    planned.push_back(std::move(p));
  }
  return planned;
}

int close_fds_bound() {
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur == RLIM_INFINITY ||
      nofile.rlim_cur > kCloseFdsCap) {
    return static_cast<int>(kCloseFdsCap);
  }
  return static_cast<int>(nofile.rlim_cur);
}

// Variables systemd sets for supd's own unit. Passed on, a service would speak to supd's
// service manager as if it were supd (READY=1, WATCHDOG=1) or claim its sockets.
bool belongs_to_supd(std::string_view entry) {
  static constexpr std::string_view kOwn[] = {
      "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=",
      "LISTEN_FDS=",    "LISTEN_PID=",    "LISTEN_FDNAMES="};
  for (std::string_view own : kOwn) {
    if (entry.substr(0, own.size()) == own) return true;
  }
  return false;
}

}  // namespace

Result<SpawnPlan> plan_spawn(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return invalid("spawn: empty command");
  for (const std::string& arg : spec.argv) {
    if (has_nul(arg)) return invalid("spawn " + spec.argv[0] + ": an argument has a NUL byte");
  }
  if (has_nul(spec.cwd)) return invalid("cwd: the path contains a NUL byte");
  if (Status ok = check_env(spec); !ok) return ok.error();

  SpawnPlan plan;
  plan.argv = spec.argv;
  if (spec.inherit_env) {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      if (!belongs_to_supd(*e)) plan.env.emplace_back(*e);
    }
  }
  Result<std::optional<Credentials>> creds = plan_credentials(spec, plan.env);
  if (!creds) return creds.error();
  plan.credentials = std::move(*creds);
  for (const auto& [name, value] : spec.env) set_env(plan.env, name, value);

  Result<std::string> path = find_executable(spec.argv[0], plan.env);
  if (!path) return path.error();
  plan.path = std::move(*path);

  Result<std::vector<PlannedLimit>> limits = plan_limits(spec.limits);
  if (!limits) return limits.error();
  plan.limits = std::move(*limits);

  plan.cwd = spec.cwd;
  if (spec.umask) plan.umask = static_cast<mode_t>(*spec.umask & 0777);
  plan.close_fds_below = close_fds_bound();
  return plan;
}

}  // namespace supd::os::posix
