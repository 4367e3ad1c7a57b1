#include "config/shell_words.h"

namespace supd::config {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_operator(char c) {
  switch (c) {
    case '|':
    case '&':
    case ';':
    case '<':
    case '>':
    case '(':
    case ')':
    case '`':
      return true;
    default:
      return false;
  }
}

}  // namespace

ShellWords split_shell_words(std::string_view text) {
  ShellWords out;
  std::string word;
  bool in_word = false;  // a word has started, even if empty so far ("" is a word)
  std::size_t i = 0;
  auto finish_word = [&] {
    if (in_word) out.words.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (is_blank(c)) {
      finish_word();
      ++i;
    } else if (c == '\\') {
      if (i + 1 == text.size()) {
        out.error = "ends with a backslash that escapes nothing";
        return out;
      }
      if (text[i + 1] != '\n') {  // backslash-newline joins lines
        word.push_back(text[i + 1]);
        in_word = true;
      }
      i += 2;
    } else if (c == '\'') {
      const std::size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) {
        out.error = "unterminated single quote";
        return out;
      }
      word.append(text.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      in_word = true;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        const char d = text[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        // Inside double quotes a backslash escapes only these; elsewhere it stays.
        if (d == '\\' && i + 1 < text.size()) {
          const char e = text[i + 1];
          if (e == '"' || e == '\\' || e == '$' || e == '`') {
            word.push_back(e);
            i += 2;
            continue;
          }
          if (e == '\n') {
            i += 2;
            continue;
          }
        }
        word.push_back(d);
        ++i;
      }
      if (!closed) {
        out.error = "unterminated double quote";
        return out;
      }
    } else if (is_operator(c)) {
      out.error = std::string("unquoted '") + c +
                  "' is shell syntax, which a command does not get; quote it, or set shell: true";
      return out;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  finish_word();
  return out;
}

std::vector<std::string> shell_argv(const std::string& script) {
#ifdef _WIN32
  return {"cmd.exe", "/c", script};
#else
  return {"/bin/sh", "-c", script};
#endif
}

}  // namespace supd::config
