#include "config/shell_words.h"

#include <gtest/gtest.h>

namespace supd::config {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view text) {
  ShellWords result = split_shell_words(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.error;
  return result.words;
}

std::string split_error(std::string_view text) {
  ShellWords result = split_shell_words(text);
  EXPECT_FALSE(result.ok()) << text;
  return result.error;
}

TEST(ShellWords, SplitsOnBlanks) {
  EXPECT_EQ(split("a b\tc\nd"), (Words{"a", "b", "c", "d"}));
  EXPECT_EQ(split("  lead   and trail  "), (Words{"lead", "and", "trail"}));
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split("   "), Words{});
}

TEST(ShellWords, SingleQuotesAreLiteral) {
  EXPECT_EQ(split("/usr/sbin/nginx -g 'daemon off;'"),
            (Words{"/usr/sbin/nginx", "-g", "daemon off;"}));
  EXPECT_EQ(split(R"('a \ "b"')"), (Words{R"(a \ "b")"}));
}

TEST(ShellWords, DoubleQuotesEscapeOnlyTheirSpecials) {
  EXPECT_EQ(split(R"("a \"b\" \\ \$ \` \x")"), (Words{R"(a "b" \ $ ` \x)"}));
  EXPECT_EQ(split(R"("it's")"), (Words{"it's"}));
}

TEST(ShellWords, BackslashEscapesOutsideQuotes) {
  EXPECT_EQ(split(R"(a\ b c\"d \'e)"), (Words{"a b", "c\"d", "'e"}));
  EXPECT_EQ(split("one \\\ntwo"), (Words{"one", "two"}));
  EXPECT_EQ(split(R"(\|)"), (Words{"|"}));
}

TEST(ShellWords, EmptyQuotesMakeAnEmptyWord) {
  EXPECT_EQ(split(R"(prog "" '')"), (Words{"prog", "", ""}));
}

TEST(ShellWords, AdjacentPartsJoin) {
  EXPECT_EQ(split(R"(a'b'"c"d)"), (Words{"abcd"}));
  EXPECT_EQ(split(R"(--name="my app")"), (Words{"--name=my app"}));
}

TEST(ShellWords, NothingIsExpanded) {
  EXPECT_EQ(split("echo $HOME ~ *.txt ${X} #hash"),
            (Words{"echo", "$HOME", "~", "*.txt", "${X}", "#hash"}));
}

TEST(ShellWords, QuotedOperatorsAreArguments) {
  EXPECT_EQ(split(R"(grep 'a|b' ";" ">")"), (Words{"grep", "a|b", ";", ">"}));
}

TEST(ShellWords, Errors) {
  EXPECT_EQ(split_error("echo 'oops"), "unterminated single quote");
  EXPECT_EQ(split_error("echo \"oops"), "unterminated double quote");
  EXPECT_EQ(split_error("echo oops\\"), "ends with a backslash that escapes nothing");
  EXPECT_EQ(split_error("a | b"),
            "unquoted '|' is shell syntax, which a command does not get; quote it, or set "
            "shell: true");
  for (const char* op : {"a > f", "a; b", "a && b", "a < f", "(a)", "echo `x`"}) {
    EXPECT_FALSE(split_shell_words(op).ok()) << op;
  }
}

TEST(ShellWords, ShellArgvUsesThePlatformShell) {
#ifdef _WIN32
  EXPECT_EQ(shell_argv("echo hi"), (Words{"cmd.exe", "/c", "echo hi"}));
#else
  EXPECT_EQ(shell_argv("echo $HOME | wc"), (Words{"/bin/sh", "-c", "echo $HOME | wc"}));
#endif
}

}  // namespace
}  // namespace supd::config
