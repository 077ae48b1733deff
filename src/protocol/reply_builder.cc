// RESP2/RESP3 encoding of replies.
#include "protocol/reply_builder.h"

#include "common/numbers.h"

namespace weir::protocol {

void ReplyBuilder::AppendHeader(char type, int64_t n) {
  char buf[32];
  buf[0] = type;
  int len = FormatInt64(n, buf + 1);
  buf[len + 1] = '\r';
  buf[len + 2] = '\n';
  out_->append(buf, len + 3);
}

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::Error(std::string_view text) {
  ++errors_emitted_;
  last_error_.assign(text);
  last_error_counts_ = true;
  out_->push_back('-');
  // Newlines would break the protocol framing; Redis replaces them with spaces.
  size_t start = out_->size();
  out_->append(text);
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  out_->append("\r\n");
}

void ReplyBuilder::Integer(int64_t v) { AppendHeader(':', v); }

void ReplyBuilder::Bulk(std::string_view s) {
  AppendHeader('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::Null() { out_->append(resp3_ ? "_\r\n" : "$-1\r\n"); }
void ReplyBuilder::NullArray() { out_->append(resp3_ ? "_\r\n" : "*-1\r\n"); }
void ReplyBuilder::ArrayLen(int64_t n) { AppendHeader('*', n); }
void ReplyBuilder::MapLen(int64_t n) { resp3_ ? AppendHeader('%', n) : AppendHeader('*', 2 * n); }
void ReplyBuilder::SetLen(int64_t n) { AppendHeader(resp3_ ? '~' : '*', n); }
void ReplyBuilder::PushLen(int64_t n) { AppendHeader(resp3_ ? '>' : '*', n); }

void ReplyBuilder::Double(double v) {
  std::string s = FormatDouble(v);
  if (resp3_) {
    out_->push_back(',');
    out_->append(s);
    out_->append("\r\n");
  } else {
    Bulk(s);
  }
}

void ReplyBuilder::HumanDouble(long double v) {
  std::string s = FormatLongDouble(v);
  if (resp3_) {
    out_->push_back(',');
    out_->append(s);
    out_->append("\r\n");
  } else {
    Bulk(s);
  }
}

void ReplyBuilder::Bool(bool v) {
  if (resp3_) {
    out_->append(v ? "#t\r\n" : "#f\r\n");
  } else {
    Integer(v ? 1 : 0);
  }
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view format) {
  if (!resp3_) return Bulk(s);
  AppendHeader('=', static_cast<int64_t>(s.size() + 4));
  out_->append(format);
  out_->push_back(':');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (!resp3_) return Bulk(digits);
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n");
}

void ReplyBuilder::InsertHeader(size_t mark, char type, int64_t n) {
  char buf[32];
  buf[0] = type;
  int len = FormatInt64(n, buf + 1);
  buf[len + 1] = '\r';
  buf[len + 2] = '\n';
  out_->insert(mark, buf, len + 3);
}

void ReplyBuilder::EndDeferredArray(size_t mark, int64_t n) { InsertHeader(mark, '*', n); }

void ReplyBuilder::EndDeferredMap(size_t mark, int64_t n) {
  resp3_ ? InsertHeader(mark, '%', n) : InsertHeader(mark, '*', 2 * n);
}

}  // namespace weir::protocol
