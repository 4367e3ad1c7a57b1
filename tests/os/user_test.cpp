// User and group lookups against this machine's real account database.
#if !defined(_WIN32)
#include "os/user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace supd::os {
namespace {

TEST(UserTest, RunningAsRootFollowsTheEffectiveUid) {
  EXPECT_EQ(running_as_root(), geteuid() == 0);
}

TEST(UserTest, LooksUpRootByNameAndByNumber) {
  Result<UserInfo> by_name = lookup_user("root");
  ASSERT_TRUE(by_name) << by_name.error().message();
  EXPECT_EQ(by_name->uid, 0u);
  EXPECT_EQ(by_name->gid, 0u);
  EXPECT_EQ(by_name->name, "root");
  EXPECT_FALSE(by_name->home.empty());

  Result<UserInfo> by_id = lookup_user("0");
  ASSERT_TRUE(by_id) << by_id.error().message();
  EXPECT_EQ(by_id->name, "root");
  EXPECT_EQ(by_id->home, by_name->home);
}

TEST(UserTest, UnknownUserIsAnErrorNamingIt) {
  Result<UserInfo> user = lookup_user("no-such-user-supd");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().message(), "unknown user \"no-such-user-supd\"");
}

TEST(UserTest, NumberWithoutAccountIsAnError) {
  Result<UserInfo> user = lookup_user("4000000001");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().message(), "no user with uid 4000000001");
  // Not a number either: out of range for a uid.
  EXPECT_EQ(lookup_user("99999999999").error().message(), "unknown user \"99999999999\"");
}

TEST(UserTest, LooksUpGroupsByNameAndByNumber) {
  group* root_group = getgrgid(0);
  ASSERT_NE(root_group, nullptr);
  const std::string name = root_group->gr_name;

  Result<GroupInfo> by_name = lookup_group(name);
  ASSERT_TRUE(by_name) << by_name.error().message();
  EXPECT_EQ(by_name->gid, 0u);
  Result<GroupInfo> by_id = lookup_group("0");
  ASSERT_TRUE(by_id) << by_id.error().message();
  EXPECT_EQ(by_id->name, name);

  EXPECT_EQ(lookup_group("no-such-group-supd").error().message(),
            "unknown group \"no-such-group-supd\"");
  EXPECT_EQ(lookup_group("4000000001").error().message(), "no group with gid 4000000001");
}

TEST(UserTest, PrimaryGroupMembership) {
  EXPECT_TRUE(user_in_group(0, 0));
  passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  EXPECT_TRUE(user_in_group(nobody->pw_uid, nobody->pw_gid));
  EXPECT_FALSE(user_in_group(nobody->pw_uid, 0));
}

TEST(UserTest, SupplementaryGroupMembership) {
  // Finds a group in /etc/group that lists a member whose primary group it is not.
  std::ifstream etc_group("/etc/group");
  std::string line;
  while (std::getline(etc_group, line)) {
    std::stringstream fields(line);
    std::string name, password, gid, members;
    std::getline(fields, name, ':');
    std::getline(fields, password, ':');
    std::getline(fields, gid, ':');
    std::getline(fields, members);
    std::stringstream list(members);
    std::string member;
    while (std::getline(list, member, ',')) {
      passwd* pw = getpwnam(member.c_str());
      if (pw == nullptr || std::to_string(pw->pw_gid) == gid) continue;
      EXPECT_TRUE(user_in_group(pw->pw_uid, static_cast<GroupId>(std::stoul(gid))))
          << member << " in " << name;
      return;
    }
  }
  GTEST_SKIP() << "no supplementary group membership in /etc/group";
}

TEST(UserTest, UnknownUidIsInNoGroup) { EXPECT_FALSE(user_in_group(4000000001u, 0)); }

TEST(UserTest, CurrentUserName) {
  passwd* pw = getpwuid(geteuid());
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(current_user_name(), pw->pw_name);
}

}  // namespace
}  // namespace supd::os
#endif  // !_WIN32
