// Incremental RESP request parser: multibulk (`*2\r\n$3\r\nGET\r\n...`) and inline commands
// (`GET key\r\n`, as telnet and interactive redis-cli send). No data types, no sockets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir::protocol {

// Parses one request at a time from the front of a connection's input buffer. The parser keeps
// its progress between calls, so a request split across any number of reads is scanned once.
// Arguments are views into the buffer: they stay valid until the caller consumes the request
// (drops Consumed() bytes from the front of its buffer) and calls Reset().
//
// Invariant: between calls the caller may only append to the buffer or, after a complete
// request, drop exactly Consumed() bytes from its front.
class RespParser {
 public:
  enum class Status { kComplete, kIncomplete, kError };

  // Weir stores key and value lengths in 32 bits (engine/entry.h), so a bulk string can never
  // be longer than this, whatever proto-max-bulk-len allows (Redis accepts up to LLONG_MAX).
  static constexpr int64_t kMaxStoredBulkLen = UINT32_MAX;

  struct Limits {
    int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
    int64_t max_multibulk_len = 2147483647;      // INT_MAX, as Redis
    size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
    // A client that has not authenticated yet gets tight limits (10 args, 16 KiB bulks) and
    // its own error texts, as in Redis: it cannot make the server buffer much.
    bool unauthenticated = false;
  };

  RespParser() = default;
  explicit RespParser(Limits limits) : limits_(limits) {}
  void set_limits(const Limits& limits) { limits_ = limits; }

  // Parses from buf (the whole unconsumed input). On kComplete, args() holds the request
  // (possibly empty: a blank inline line or `*0`/`*-1`, which the caller skips).
  Status Parse(std::string_view buf);

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return pos_; }
  // The error text (without the leading '-') after kError, e.g.
  // "ERR Protocol error: invalid multibulk length".
  const std::string& error() const { return error_; }
  // How many more bytes are needed at least to finish the current bulk (a hint to size reads).
  size_t BulkBytesPending(std::string_view buf) const;
  bool in_multibulk() const { return multibulk_remaining_ >= 0; }

  // Forgets the completed (or failed) request; call after dropping consumed() bytes.
  void Reset();

 private:
  Status ParseInline(std::string_view buf);
  Status ParseMultibulk(std::string_view buf);
  Status Fail(std::string msg);

  Limits limits_;
  std::vector<std::string_view> args_;
  std::vector<std::pair<size_t, size_t>> arg_spans_;  // offsets survive buffer growth
  size_t pos_ = 0;                                    // scan position in the buffer
  int64_t multibulk_remaining_ = -1;                  // -1: header not read yet
  int64_t bulk_len_ = -1;                             // -1: not inside a bulk
  std::string error_;
  std::vector<std::string> inline_storage_;  // inline args after unquoting
};

}  // namespace weir::protocol
