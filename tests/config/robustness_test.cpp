// Whatever the text, the loader answers with a Config or diagnostics: it never throws or
// crashes, and never gives both or neither.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "config/load.h"
#include "test_util.h"

namespace supd::config {
namespace {

std::string example_text() {
  std::ifstream in(SUPD_SOURCE_DIR "/config/example.yaml", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void expect_an_answer(const std::string& text) {
  LoadResult r;
  ASSERT_NO_THROW(r = load_config_string(text, "supd.yaml", testing::lenient())) << text;
  EXPECT_NE(r.ok(), !r.diagnostics.empty()) << text;
}

TEST(Robustness, EveryPrefixOfTheExample) {
  const std::string text = example_text();
  ASSERT_FALSE(text.empty());
  for (std::size_t n = 0; n <= text.size(); n += 7) expect_an_answer(text.substr(0, n));
}

TEST(Robustness, EveryCharacterOfTheExampleReplaced) {
  const std::string text = example_text();
  for (std::size_t i = 0; i < text.size(); i += 7) {
    for (char c : {':', '-', '[', '{', '"', '\'', '\n', ' ', '&', '*'}) {
      std::string changed = text;
      changed[i] = c;
      expect_an_answer(changed);
    }
  }
}

TEST(Robustness, OddDocuments) {
  for (const char* text : {"",
                           "~",
                           "null",
                           "42",
                           "\"just a string\"",
                           "[]",
                           "{}",
                           "---\n...\n",
                           "services: ~",
                           "services:\n  a: ~",
                           "services:\n  a: {command: ~}",
                           "services:\n  ? [complex, key]\n  : 1\n",
                           "services:\n  a: &x {command: y, <<: *x}\n",
                           "a: *undefined\n",
                           "services: !!binary abc\n",
                           "services:\n  a:\n    command: x\n    <<: [1, 2]\n",
                           "\t",
                           "{{{{{{{{{{",
                           "key: \"\\x00\"\n",
                           "services:\n  a: {command: x, env: {? [1]: 2}}\n"}) {
    expect_an_answer(text);
  }
}

TEST(Robustness, DeepNesting) {
  expect_an_answer(std::string(5000, '[') + std::string(5000, ']'));
  std::string nested = "services:\n  a:\n    command: x\n    x-deep: ";
  for (int i = 0; i < 2000; ++i) nested += "{a: ";
  nested += "1";
  for (int i = 0; i < 2000; ++i) nested += "}";
  expect_an_answer(nested + "\n");
}

}  // namespace
}  // namespace supd::config
