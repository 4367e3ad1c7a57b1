#include "ctl/config_section.h"

namespace supd::ctl {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool blank_or_comment(std::string_view line) {
  for (char c : line) {
    if (c == '#') return true;
    if (!is_space(c)) return false;
  }
  return true;
}

// `---` alone (a comment may follow): the start of the one document.
bool document_start(std::string_view line) {
  if (line.substr(0, 3) != "---") return false;
  return blank_or_comment(line.substr(3)) && (line.size() == 3 || is_space(line[3]));
}

// Characters of a key that YAML reads as a plain scalar wherever they stand after the first.
bool plain_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// The key of a line `name:` / `name: value`, or nullopt when the line is anything else.
std::optional<std::string_view> plain_key(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  const std::string_view key = line.substr(0, colon);
  if (key.front() == '-' || key.front() == '.') return std::nullopt;  // `- x:`, `...`
  for (char c : key) {
    if (!plain_key_char(c)) return std::nullopt;
  }
  if (colon + 1 < line.size() && !is_space(line[colon + 1])) return std::nullopt;  // `a:b`
  return key;
}

}  // namespace

std::optional<std::string> supd_section_text(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;
  std::size_t lines_before = 0;                // lines before the block
  std::size_t begin = std::string_view::npos;  // the block's first byte
  std::size_t end = text.size();               // one past its last byte
  bool seen_content = false;
  std::size_t line_number = 0;
  for (std::size_t pos = 0; pos < text.size(); ++line_number) {
    std::size_t eol = text.find('\n', pos);
    const std::size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    const std::string_view line =
        text.substr(pos, next - pos - (eol == std::string_view::npos ? 0 : 1));
    const std::size_t line_start = pos;
    pos = next;
    if (line.empty() || line.front() == ' ' || blank_or_comment(line)) continue;
    if (!seen_content && document_start(line)) {
      seen_content = true;
      continue;
    }
    seen_content = true;
    const auto key = plain_key(line);
    if (!key) return std::nullopt;
    if (begin != std::string_view::npos && end == text.size() && line_start > begin) {
      end = line_start;  // the next top-level key ends the block
    }
    if (*key == "supd") {
      if (begin != std::string_view::npos) return std::nullopt;  // twice
      begin = line_start;
      lines_before = line_number;
    }
  }
  if (begin == std::string_view::npos) return std::string();
  std::string out(lines_before, '\n');
  out.append(text.substr(begin, end - begin));
  return out;
}

}  // namespace supd::ctl
