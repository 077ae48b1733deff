// RESP request parsing, resumable across reads. Error texts are Redis's (networking.c), since
// clients and the TCL suite match them.
#include "protocol/resp_parser.h"

#include <cstring>

#include "common/numbers.h"
#include "common/strings.h"

namespace weir::protocol {

void RespParser::Reset() {
  args_.clear();
  arg_spans_.clear();
  inline_storage_.clear();
  pos_ = 0;
  multibulk_remaining_ = -1;
  bulk_len_ = -1;
  error_.clear();
}

RespParser::Status RespParser::Fail(std::string msg) {
  error_ = std::move(msg);
  return Status::kError;
}

RespParser::Status RespParser::Parse(std::string_view buf) {
  if (multibulk_remaining_ < 0 && pos_ == 0) {
    if (buf.empty()) return Status::kIncomplete;
    if (buf[0] != '*') return ParseInline(buf);
  }
  return ParseMultibulk(buf);
}

RespParser::Status RespParser::ParseInline(std::string_view buf) {
  // Redis finds the end of an inline request with strchr, which stops at a NUL byte: a NUL
  // before the newline hides the newline, so the request stays incomplete until it grows past
  // the inline limit (and is then refused as too big).
  size_t nl = buf.find_first_of(std::string_view("\n\0", 2));
  if (nl == std::string_view::npos || buf[nl] == '\0') {
    if (buf.size() > limits_.max_inline_len) {
      return Fail("ERR Protocol error: too big inline request");
    }
    return Status::kIncomplete;
  }
  std::string_view line = buf.substr(0, nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::optional<std::vector<std::string>> split = SplitArgs(line);
  if (!split) return Fail("ERR Protocol error: unbalanced quotes in request");
  inline_storage_ = std::move(*split);
  args_.clear();
  for (const auto& s : inline_storage_) args_.emplace_back(s);
  pos_ = nl + 1;
  return Status::kComplete;
}

RespParser::Status RespParser::ParseMultibulk(std::string_view buf) {
  if (multibulk_remaining_ < 0) {
    // Header: "*<count>\r\n".
    const char* cr = static_cast<const char*>(std::memchr(buf.data(), '\r', buf.size()));
    if (cr == nullptr) {
      if (buf.size() > limits_.max_inline_len) {
        return Fail("ERR Protocol error: too big mbulk count string");
      }
      return Status::kIncomplete;
    }
    size_t cr_pos = cr - buf.data();
    if (cr_pos + 1 >= buf.size()) return Status::kIncomplete;  // need the '\n'
    int64_t count;
    if (!ParseInt64(buf.substr(1, cr_pos - 1), &count) || count > limits_.max_multibulk_len) {
      return Fail("ERR Protocol error: invalid multibulk length");
    }
    if (limits_.unauthenticated && count > 10) {
      return Fail("ERR Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr_pos + 2;
    if (count <= 0) {
      args_.clear();
      return Status::kComplete;
    }
    multibulk_remaining_ = count;
    arg_spans_.reserve(count > 1024 ? 1024 : count);
  }

  while (multibulk_remaining_ > 0) {
    if (bulk_len_ < 0) {
      // Bulk header: "$<len>\r\n".
      if (pos_ >= buf.size()) return Status::kIncomplete;
      const char* start = buf.data() + pos_;
      const char* cr = static_cast<const char*>(std::memchr(start, '\r', buf.size() - pos_));
      if (cr == nullptr) {
        if (buf.size() - pos_ > limits_.max_inline_len) {
          return Fail("ERR Protocol error: too big bulk count string");
        }
        return Status::kIncomplete;
      }
      size_t cr_pos = cr - buf.data();
      if (cr_pos + 1 >= buf.size()) return Status::kIncomplete;
      if (*start != '$') {
        return Fail(std::string("ERR Protocol error: expected '$', got '") + *start + "'");
      }
      int64_t len;
      if (!ParseInt64(buf.substr(pos_ + 1, cr_pos - pos_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len || len > kMaxStoredBulkLen) {
        return Fail("ERR Protocol error: invalid bulk length");
      }
      if (limits_.unauthenticated && len > 16384) {
        return Fail("ERR Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = len;
      pos_ = cr_pos + 2;
    }
    // Bulk payload plus its "\r\n".
    if (buf.size() - pos_ < static_cast<size_t>(bulk_len_) + 2) return Status::kIncomplete;
    arg_spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += bulk_len_ + 2;
    bulk_len_ = -1;
    --multibulk_remaining_;
  }

  args_.clear();
  args_.reserve(arg_spans_.size());
  for (auto [off, len] : arg_spans_) args_.emplace_back(buf.data() + off, len);
  return Status::kComplete;
}

size_t RespParser::BulkBytesPending(std::string_view buf) const {
  if (bulk_len_ < 0) return 0;
  size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
  return need > buf.size() ? need - buf.size() : 0;
}

}  // namespace weir::protocol
