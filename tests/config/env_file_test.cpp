#include "config/env_file.h"

#include <gtest/gtest.h>

namespace supd::config {
namespace {

EnvFileResult parse(std::string_view text) {
  return parse_env_file(text, "web.env", "services.web.env_file");
}

std::vector<std::string> formatted(const EnvFileResult& r) {
  std::vector<std::string> out;
  for (const Diagnostic& d : r.diagnostics) out.push_back(format_diagnostic(d));
  return out;
}

TEST(EnvFile, KeyValueLinesCommentsAndBlanks) {
  EnvFileResult r =
      parse("# a comment\n\nPORT=8080\n  NAME=web  \nEMPTY=\n   # indented comment\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"PORT", "8080"}, {"NAME", "web"}, {"EMPTY", ""}}));
}

TEST(EnvFile, ExportPrefixAndSpacesAroundEquals) {
  EnvFileResult r = parse("export A=1\nB = 2\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"A", "1"}, {"B", "2"}}));
}

TEST(EnvFile, UnquotedValuesKeepHashesAndInnerSpaces) {
  EnvFileResult r = parse("URL=http://x/#frag\nMSG=hello   world\n");
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"URL", "http://x/#frag"}, {"MSG", "hello   world"}}));
}

TEST(EnvFile, DoubleQuotesWithEscapes) {
  EnvFileResult r = parse(R"(A="say \"hi\"\n\tand \$HOME \\ \x" # comment)"
                          "\n");
  EXPECT_TRUE(r.diagnostics.empty()) << formatted(r)[0];
  ASSERT_EQ(r.vars.size(), 1u);
  EXPECT_EQ(r.vars[0].value, "say \"hi\"\n\tand $HOME \\ \\x");
}

TEST(EnvFile, SingleQuotesAreLiteral) {
  EnvFileResult r = parse(R"(A='$HOME \n "x"')"
                          "\n");
  ASSERT_EQ(r.vars.size(), 1u);
  EXPECT_EQ(r.vars[0].value, R"($HOME \n "x")");
}

TEST(EnvFile, QuotedValuesMaySpanLines) {
  EnvFileResult r = parse("KEY=\"line one\nline two\"\nNEXT=1\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"KEY", "line one\nline two"}, {"NEXT", "1"}}));
}

TEST(EnvFile, WindowsLineEndings) {
  EnvFileResult r = parse("A=1\r\nB=\"2\"\r\n");
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"A", "1"}, {"B", "2"}}));
}

TEST(EnvFile, NoFinalNewline) { EXPECT_EQ(parse("A=1").vars, (std::vector<EnvVar>{{"A", "1"}})); }

TEST(EnvFile, ErrorsAreLocatedAndParsingGoesOn) {
  EnvFileResult r = parse(
      "GOOD=1\n"
      "just some words\n"
      "1BAD=x\n"
      "  Q=\"open\n"
      "\n");
  EXPECT_EQ(formatted(r),
            (std::vector<std::string>{
                "web.env:2:1: services.web.env_file: expected KEY=VALUE, got \"just some words\"",
                "web.env:3:1: services.web.env_file: expected a variable name (letters, digits "
                "and _, not starting with a digit), got \"1BAD\"",
                "web.env:4:5: services.web.env_file: unterminated double quote",
            }));
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"GOOD", "1"}}));
}

TEST(EnvFile, TextAfterClosingQuote) {
  EnvFileResult r = parse("A='x' y\nB=2\n");
  EXPECT_EQ(formatted(r), (std::vector<std::string>{
                              "web.env:1:7: services.web.env_file: unexpected text after the "
                              "closing quote: \"y\""}));
  EXPECT_EQ(r.vars, (std::vector<EnvVar>{{"B", "2"}}));
}

}  // namespace
}  // namespace supd::config
