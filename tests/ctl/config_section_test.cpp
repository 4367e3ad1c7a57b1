#include "ctl/config_section.h"

#include <fstream>

#include <gtest/gtest.h>

#include "ctl/discovery.h"
#include "ctl_test_support.h"

namespace supd::ctl {
namespace {

using testing::ScratchDir;

TEST(SupdSectionText, TheBlockUpToTheNextTopLevelKey) {
  EXPECT_EQ(supd_section_text("supd:\n  control: /s\n  # note\n\n  group: g\nservices:\n  a: {}\n"),
            "supd:\n  control: /s\n  # note\n\n  group: g\n");
}

TEST(SupdSectionText, LinesBeforeTheBlockBecomeEmptyLines) {
  EXPECT_EQ(supd_section_text("# header\nservices:\n  web:\n    command: x\nsupd:\n  control: /s"),
            "\n\n\n\nsupd:\n  control: /s");
}

TEST(SupdSectionText, ToTheEndWhenItIsTheLastKey) {
  EXPECT_EQ(supd_section_text("x-a: 1\nsupd: {control: /s}\n"), "\nsupd: {control: /s}\n");
}

TEST(SupdSectionText, EmptyWhenThereIsNoSupdKey) {
  EXPECT_EQ(supd_section_text(""), "");
  EXPECT_EQ(supd_section_text("services:\n  supd:\n    command: x\n"), "");
  EXPECT_EQ(supd_section_text("supdx: 1\nx-supd: 2\n"), "");
}

TEST(SupdSectionText, CarriageReturnsAndALeadingDocumentStartAreUnderstood) {
  EXPECT_EQ(supd_section_text("supd:\r\n  control: /s\r\nservices: {}\r\n"),
            "supd:\r\n  control: /s\r\n");
  EXPECT_EQ(supd_section_text("# c\n--- # doc\nsupd:\n  control: /s\n"),
            "\n\nsupd:\n  control: /s\n");
}

TEST(SupdSectionText, NotUnderstoodMeansParseTheWholeFile) {
  for (const char* text : {
           "{supd: {control: /s}}\n",     // flow style at the top
           "\"supd\":\n  control: /s\n",  // a quoted key
           "? supd\n: {control: /s}\n",   // a complex key
           "%YAML 1.2\n---\nsupd: {}\n",  // a directive
           "supd: {}\n---\nsupd: {}\n",   // a second document
           "supd: {}\n...\n",             // a document end
           "\xEF\xBB\xBFsupd: {}\n",      // a byte order mark
           "supd: {}\nsupd: {}\n",        // the key twice
           "- supd: {}\n",                // a sequence at the top
           "x: \"a\nb\"\nsupd: {}\n",     // a quoted scalar going on in column 0
           "\tsupd: {}\n",                // a tab
           "--- {supd: {}}\n",            // content after the document start
       }) {
    EXPECT_EQ(supd_section_text(text), std::nullopt) << text;
  }
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(ReadConfigPathsFromTheSection, AYamlMistakeElsewhereDoesNotMatter) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string file = dir.file("supd.yaml");
  write(file, "supd:\n  control: /x/s.sock\nservices:\n  web: [unclosed\n");
  auto paths = read_config_paths(file);
  ASSERT_TRUE(paths) << paths.error().message();
  EXPECT_EQ(paths->control, "/x/s.sock");
}

TEST(ReadConfigPathsFromTheSection, ErrorsInTheSectionKeepTheFilesPositions) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "services:\n  web:\n    command: x\nsupd:\n  status_page: {a: 1}\n");
  auto paths = read_config_paths(file);
  ASSERT_FALSE(paths);
  EXPECT_EQ(paths.error().message(), file + ":5:16: supd.status_page: expected a string");

  write(file, "services:\n  web:\n    command: x\nsupd:\n  control: [\n");
  paths = read_config_paths(file);
  ASSERT_FALSE(paths);
  EXPECT_EQ(paths.error().message().rfind(file + ":6:", 0), 0u) << paths.error().message();
}

TEST(ReadConfigPathsFromTheSection, AnAliasOfAnAnchorOutsideTheSectionIsResolved) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "x-socket: &sock /x/s.sock\nsupd:\n  control: *sock\nservices: {}\n");
  auto paths = read_config_paths(file);
  ASSERT_TRUE(paths) << paths.error().message();
  EXPECT_EQ(paths->control, "/x/s.sock");
}

TEST(ReadConfigPathsFromTheSection, AFileNotInBlockStyleIsReadWhole) {
  ScratchDir dir;
  const std::string file = dir.file("supd.yaml");
  write(file, "{\"supd\": {control: /x/s.sock, group: ops}, services: {}}\n");
  auto paths = read_config_paths(file);
  ASSERT_TRUE(paths) << paths.error().message();
  EXPECT_EQ(paths->control, "/x/s.sock");
  EXPECT_EQ(paths->group, "ops");
}

}  // namespace
}  // namespace supd::ctl
