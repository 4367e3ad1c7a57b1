#include "os/win/command_line.h"

#include <windows.h>
// After windows.h, which it needs.
#include <shellapi.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "os/win/wide.h"

namespace supd::os::win {
namespace {

// What a child would see: CommandLineToArgvW's split of the line.
std::vector<std::string> split(const std::string& line) {
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(widen(line).c_str(), &argc);
  std::vector<std::string> out;
  if (argv == nullptr) return out;
  for (int i = 0; i < argc; ++i) out.push_back(narrow(argv[i]));
  LocalFree(argv);
  return out;
}

TEST(QuoteWindowsArgument, LeavesPlainWordsBare) {
  EXPECT_EQ(quote_windows_argument("hello"), "hello");
  EXPECT_EQ(quote_windows_argument(R"(C:\dir\file.txt)"), R"(C:\dir\file.txt)");
  EXPECT_EQ(quote_windows_argument(R"(trailing\)"), R"(trailing\)");
}

TEST(QuoteWindowsArgument, QuotesEmptyAndSpaced) {
  EXPECT_EQ(quote_windows_argument(""), R"("")");
  EXPECT_EQ(quote_windows_argument("a b"), R"("a b")");
  EXPECT_EQ(quote_windows_argument("tab\there"), "\"tab\there\"");
}

TEST(QuoteWindowsArgument, EscapesQuotesAndTheBackslashesBeforeThem) {
  EXPECT_EQ(quote_windows_argument(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(quote_windows_argument(R"(a\"b)"), R"("a\\\"b")");
  // Trailing backslashes are doubled so that they do not escape the closing quote.
  EXPECT_EQ(quote_windows_argument(R"(C:\Program Files\)"), R"("C:\Program Files\\")");
  // Backslashes not followed by a quote stay as they are.
  EXPECT_EQ(quote_windows_argument(R"(a\\b c)"), R"("a\\b c")");
}

TEST(QuoteWindowsArgument, RoundTripsThroughCommandLineToArgvW) {
  const std::vector<std::string> cases = {
      "",
      " ",
      "a b",
      R"(")",
      R"("")",
      R"(\)",
      R"(\\)",
      R"(\")",
      R"(a\)",
      R"(a\\)",
      R"(a\\\"b)",
      R"("quoted")",
      "two  spaces",
      "new\nline",
      "v\vtab",
      R"(C:\Program Files\)",
      R"(\\server\share\)",
      "%PATH%",
      "^&|<>",
      "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",  // café 日本
      R"(x" & calc ")",
  };
  for (const std::string& arg : cases) {
    const std::vector<std::string> argv = split("prog.exe " + quote_windows_argument(arg));
    ASSERT_EQ(argv.size(), 2u) << "argument [" << arg << "]";
    EXPECT_EQ(argv[1], arg);
  }
}

TEST(BuildCommandLine, RoundTripsAWholeArgv) {
  const std::vector<std::string> argv = {R"(C:\Program Files\app\app.exe)", "-c", "",
                                         R"(a "b" \c\)", "last"};
  auto line = build_command_line(argv);
  ASSERT_TRUE(line) << line.error().message();
  EXPECT_EQ(split(line.value()), argv);
}

TEST(BuildCommandLine, RefusesWhatCannotBePassed) {
  EXPECT_FALSE(build_command_line({}));
  EXPECT_FALSE(build_command_line({""}));
  auto quoted = build_command_line({R"(bad"name.exe)"});
  ASSERT_FALSE(quoted);
  EXPECT_NE(quoted.error().message().find("cannot contain"), std::string::npos);
  EXPECT_FALSE(build_command_line({"prog", std::string("nul\0inside", 10)}));
}

}  // namespace
}  // namespace supd::os::win
