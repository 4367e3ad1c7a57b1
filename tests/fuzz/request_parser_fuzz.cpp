// Feeds arbitrary bytes through what a control connection does with them: line framing,
// request parsing, and the answer encoders. Beyond "no crash, no undefined behaviour, no
// exception", it checks that what the parser accepts round-trips and that every answer
// line is valid JSON a client can read back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "control/line_framer.h"
#include "control/protocol.h"

namespace {

using supd::control::ParseResult;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_line(std::string_view line) {
  ParseResult parsed = supd::control::parse_request(line);
  if (parsed.ok()) {
    const std::string encoded = supd::control::encode_request(*parsed.request);
    check(!encoded.empty() && encoded.back() == '\n');
    ParseResult again =
        supd::control::parse_request(std::string_view(encoded).substr(0, encoded.size() - 1));
    check(again.ok());
    check(supd::control::request_to_json(*again.request) ==
          supd::control::request_to_json(*parsed.request));
    return;
  }
  check(!parsed.error.message.empty());
  const std::string answer = supd::control::encode_error(parsed.id, parsed.error);
  check(nlohmann::json::accept(std::string_view(answer).substr(0, answer.size() - 1)));
  supd::control::Response read_back = supd::control::parse_response(answer);
  check(read_back.kind == supd::control::Response::Kind::Error);
  check(read_back.error.code == parsed.error.code);
  check(read_back.id == parsed.id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The whole input as one line, as a server that already framed it would see it.
  check_line(input);
  (void)supd::control::parse_response(input);

  // Framed as it might arrive: in chunks whose sizes come from the input itself, with a
  // small limit so overflow is reached too.
  constexpr std::size_t kLimit = 256;
  supd::control::LineFramer framer(kLimit);
  std::size_t offset = 0;
  std::size_t taken = 0;
  std::size_t chunk = size > 0 ? static_cast<std::size_t>(data[0] % 17) + 1 : 1;
  while (offset < size) {
    std::size_t n = std::min(chunk, size - offset);
    framer.feed(input.data() + offset, n);
    offset += n;
    chunk = chunk * 3 % 61 + 1;
    while (auto line = framer.next_line()) {
      check(line->size() <= kLimit);
      taken += line->size() + 1;
      check_line(*line);
    }
    check(framer.buffered() <= kLimit);
  }
  check(taken <= size);
  return 0;
}
