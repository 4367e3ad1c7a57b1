#include <windows.h>

#include <string>

#include <gtest/gtest.h>

#include "os/result.h"
#include "os/win/wide.h"

namespace supd::os {
namespace {

TEST(Wide, RoundTripsUtf8) {
  const std::string text = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80";  // café 日本 😀
  const std::wstring wide = win::widen(text);
  EXPECT_EQ(wide, L"caf\u00e9 \u65e5\u672c \U0001F600");
  EXPECT_EQ(win::narrow(wide), text);
  EXPECT_EQ(win::widen(""), L"");
  EXPECT_EQ(win::narrow(L""), "");
}

TEST(LastError, IsGetLastErrorInTheSystemCategory) {
  EXPECT_EQ(GetFileAttributesW(L"C:\\supd-does-not-exist\\nothing"), INVALID_FILE_ATTRIBUTES);
  const Error e = last_error("read C:\\supd-does-not-exist\\nothing");
  EXPECT_EQ(e.code.category(), std::system_category());
  EXPECT_EQ(e.code.value(), ERROR_PATH_NOT_FOUND);
  EXPECT_EQ(e.message().rfind("read C:\\supd-does-not-exist\\nothing: ", 0), 0u) << e.message();
  EXPECT_GT(e.message().size(), e.what.size() + 2);
}

}  // namespace
}  // namespace supd::os
