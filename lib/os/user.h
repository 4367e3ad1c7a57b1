// Users and groups: lookups for running services as another user and for checking who
// is on the other end of the control socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "os/result.h"

namespace supd::os {

using UserId = std::uint32_t;
using GroupId = std::uint32_t;

struct UserInfo {
  UserId uid = 0;
  GroupId gid = 0;  // primary group
  std::string name;
  std::string home;
};

struct GroupInfo {
  GroupId gid = 0;
  std::string name;
};

// Whether supd runs with root's powers (effective uid 0).
bool running_as_root();

// A user by name, or by number when `name_or_id` is all digits and no user has that name.
// A number with no account behind it is an error too ("no user with uid 4242"): a service
// needs the account's primary group and home.
Result<UserInfo> lookup_user(std::string_view name_or_id);

// A group by name, or by number when `name_or_id` is all digits and no group has that name.
Result<GroupInfo> lookup_group(std::string_view name_or_id);

// Whether the user `uid` belongs to group `gid`, as primary or supplementary group.
// False when the uid has no account.
bool user_in_group(UserId uid, GroupId gid);

// The effective user's name, or its number when it has no account.
std::string current_user_name();

}  // namespace supd::os
