// The top-level `supd:` block of a config file, found by its text, so that supctl can parse
// that block alone: yaml-cpp needs milliseconds for a config of a hundred services, and
// supctl starts once per command. (An include never holds `supd:`, see SPEC.md.)
//
// The text is understood only when it is written in block style, as SPEC.md shows it: every
// line that starts in column 0 is blank, a comment, a leading `---`, or a plain key (`name:`
// followed by a space or the end of the line). Anything else at the top (flow style, quoted
// or complex keys, directives, a second document, a byte order mark, `supd:` twice) gives
// nullopt, and the caller parses the whole file. The block may still not stand alone (an
// alias of an anchor outside it): the caller falls back to the whole file when the block
// does not parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace supd::ctl {

// The `supd:` block of `text`, from its key line up to the next top-level key, preceded by
// one empty line for each line before it, so that line:column positions in it are the
// file's. "" when the file has no `supd:` key; nullopt when the text is not understood.
std::optional<std::string> supd_section_text(std::string_view text);

}  // namespace supd::ctl
