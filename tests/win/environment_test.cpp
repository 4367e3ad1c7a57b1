#include "os/win/environment.h"

#include <windows.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace supd::os::win {
namespace {

std::vector<std::wstring> entries(const std::wstring& block) {
  std::vector<std::wstring> out;
  for (const wchar_t* p = block.c_str(); *p != L'\0'; p += out.back().size() + 1) {
    out.emplace_back(p);
  }
  return out;
}

TEST(ChildEnvironment, InheritsAndOverridesCaseInsensitively) {
  ASSERT_TRUE(SetEnvironmentVariableW(L"SUPD_TEST_INHERITED", L"old"));
  auto env = child_environment(true, {{"supd_test_inherited", "new"}, {"SUPD_TEST_ADDED", "x"}});
  ASSERT_TRUE(env) << env.error().message();
  const std::wstring* inherited = find_variable(env.value(), L"SUPD_TEST_INHERITED");
  ASSERT_NE(inherited, nullptr);
  EXPECT_EQ(*inherited, L"new");
  std::size_t count = 0;
  for (const EnvVar& v : env.value()) {
    if (CompareStringOrdinal(v.name.c_str(), -1, L"SUPD_TEST_INHERITED", -1, TRUE) == CSTR_EQUAL) {
      ++count;
    }
  }
  EXPECT_EQ(count, 1u);
  ASSERT_NE(find_variable(env.value(), L"supd_test_added"), nullptr);
  EXPECT_NE(find_variable(env.value(), L"PATH"), nullptr);
  SetEnvironmentVariableW(L"SUPD_TEST_INHERITED", nullptr);
}

TEST(ChildEnvironment, StartsEmptyWithoutInheritance) {
  auto env = child_environment(false, {{"ONLY", "1"}});
  ASSERT_TRUE(env);
  ASSERT_EQ(env.value().size(), 1u);
  EXPECT_EQ(env.value()[0].name, L"ONLY");
  EXPECT_EQ(find_variable(env.value(), L"PATH"), nullptr);
}

TEST(ChildEnvironment, RefusesBadNames) {
  for (const char* name : {"", "A=B"}) {
    auto env = child_environment(false, {{name, "1"}});
    ASSERT_FALSE(env) << name;
    EXPECT_NE(env.error().message().find("invalid variable name"), std::string::npos);
  }
}

TEST(EnvironmentBlock, IsSortedWithoutRegardToCaseAndDoublyTerminated) {
  std::wstring block = environment_block({{L"b", L"2"}, {L"A", L"1"}, {L"C", L"3"}});
  EXPECT_EQ(entries(block), (std::vector<std::wstring>{L"A=1", L"b=2", L"C=3"}));
  ASSERT_GE(block.size(), 1u);
  EXPECT_EQ(block.back(), L'\0');
  EXPECT_EQ(block.c_str()[block.size()], L'\0');
}

TEST(EnvironmentBlock, EmptyIsTwoNuls) {
  std::wstring block = environment_block({});
  ASSERT_EQ(block.size(), 1u);
  EXPECT_EQ(block[0], L'\0');
  EXPECT_EQ(block.c_str()[1], L'\0');
}

}  // namespace
}  // namespace supd::os::win
