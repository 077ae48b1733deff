// libFuzzer target: the RESP parser must never crash, hang or leak on any input, fed whole or
// in the chunk sizes the input's first byte chooses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 64;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  weir::protocol::RespParser::Limits limits;
  limits.max_bulk_len = 1 << 20;
  weir::protocol::RespParser parser(limits);
  std::string buf, out;
  weir::protocol::ReplyBuilder reply(&out);
  for (size_t fed = 0; fed < input.size();) {
    size_t n = std::min(chunk, input.size() - fed);
    buf.append(input, fed, n);
    fed += n;
    while (!buf.empty()) {
      auto st = parser.Parse(buf);
      if (st == weir::protocol::RespParser::Status::kError) return 0;
      if (st == weir::protocol::RespParser::Status::kIncomplete) break;
      for (auto a : parser.args()) reply.Bulk(a);
      buf.erase(0, parser.consumed());
      parser.Reset();
    }
    out.clear();
  }
  return 0;
}
