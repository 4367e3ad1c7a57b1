#include "config/env_file.h"

#include "config/reader.h"

namespace supd::config {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

class EnvFileParser {
 public:
  EnvFileParser(std::string_view text, const std::string& file, const std::string& key_path)
      : text_(text), file_(file), key_path_(key_path) {}

  EnvFileResult run() {
    while (pos_ < text_.size()) parse_line();
    return std::move(result_);
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\n'; }
  bool at_line_end() const { return pos_ >= text_.size() || text_[pos_] == '\n'; }
  int column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  void advance() {
    if (pos_ < text_.size() && text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  void skip_blanks() {
    while (pos_ < text_.size() && is_blank(text_[pos_])) advance();
  }
  void skip_rest_of_line() {
    while (!at_line_end()) advance();
    if (pos_ < text_.size()) advance();
  }
  std::string_view rest_of_line() const {
    std::size_t end = text_.find('\n', pos_);
    std::string_view rest = text_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
    while (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
    return rest;
  }
  void error(int line, int column, std::string message) {
    result_.diagnostics.push_back(Diagnostic{file_, line, column, key_path_, std::move(message)});
  }

  void parse_line() {
    skip_blanks();
    if (at_line_end() || peek() == '#') {
      skip_rest_of_line();
      return;
    }
    if (rest_of_line().starts_with("export ") || rest_of_line().starts_with("export\t")) {
      for (int i = 0; i < 6; ++i) advance();
      skip_blanks();
    }
    const int line = line_;
    const int name_column = column();
    const std::string_view whole = rest_of_line();
    std::string name;
    while (!at_line_end() && peek() != '=' && !is_blank(peek())) {
      name.push_back(peek());
      advance();
    }
    skip_blanks();
    if (peek() != '=') {
      error(line, name_column, "expected KEY=VALUE, got " + detail::quoted(whole));
      skip_rest_of_line();
      return;
    }
    bool valid = !name.empty() && is_name_start(name[0]);
    for (char c : name) valid = valid && is_name_char(c);
    if (!valid) {
      error(line, name_column,
            "expected a variable name (letters, digits and _, not starting with a digit), got " +
                detail::quoted(name));
      skip_rest_of_line();
      return;
    }
    advance();  // '='
    skip_blanks();
    std::string value;
    if (!parse_value(value)) return;
    result_.vars.push_back(EnvVar{std::move(name), std::move(value)});
  }

  // Leaves pos_ at the start of the next line. False (reported) on a bad value.
  bool parse_value(std::string& value) {
    const char quote = peek();
    if (quote != '"' && quote != '\'') {
      std::string_view rest = rest_of_line();
      while (!rest.empty() && is_blank(rest.back())) rest.remove_suffix(1);
      value.assign(rest);
      skip_rest_of_line();
      return true;
    }
    const int open_line = line_;
    const int open_column = column();
    advance();
    while (true) {
      if (pos_ >= text_.size()) {
        error(open_line, open_column,
              std::string("unterminated ") + (quote == '"' ? "double" : "single") + " quote");
        return false;
      }
      const char c = text_[pos_];
      if (c == quote) {
        advance();
        break;
      }
      if (quote == '"' && c == '\\' && pos_ + 1 < text_.size()) {
        const char e = text_[pos_ + 1];
        const char* escapes = "\"\\$`";
        if (e == 'n' || e == 't' || std::string_view(escapes).find(e) != std::string_view::npos) {
          value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          advance();
          advance();
          continue;
        }
      }
      value.push_back(c);
      advance();
    }
    skip_blanks();
    if (!at_line_end() && peek() != '#') {
      error(line_, column(),
            "unexpected text after the closing quote: " + detail::quoted(rest_of_line()));
      skip_rest_of_line();
      return false;
    }
    skip_rest_of_line();
    return true;
  }

  std::string_view text_;
  const std::string& file_;
  const std::string& key_path_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
  EnvFileResult result_;
};

}  // namespace

EnvFileResult parse_env_file(std::string_view text, const std::string& file,
                             const std::string& key_path) {
  return EnvFileParser(text, file, key_path).run();
}

}  // namespace supd::config
