#include "os/file_security.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace supd::os {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string not_regular(mode_t mode) {
  if (S_ISDIR(mode)) return "not a regular file (it is a directory)";
  if (S_ISFIFO(mode)) return "not a regular file (it is a named pipe)";
  if (S_ISSOCK(mode)) return "not a regular file (it is a socket)";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "not a regular file (it is a device)";
  return "not a regular file";
}

Error refusal(const std::string& why) {
  return Error{std::error_code{}, "refusing to load: " + why};
}

}  // namespace

Status check_config_file_permissions(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return last_error("cannot check its permissions");
  if (!S_ISREG(st.st_mode)) return refusal(not_regular(st.st_mode));
  const uid_t me = geteuid();
  if (st.st_uid != 0 && st.st_uid != me) {
    return refusal("file is owned by uid " + std::to_string(st.st_uid) +
                   ", not by root or the user running supd; run chown " +
                   (me == 0 ? std::string("root") : std::to_string(me)) + " " + path);
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return refusal("file is writable by group or others (mode " + octal_mode(st.st_mode) +
                   "); run chmod go-w " + path);
  }
  return {};
}

}  // namespace supd::os
