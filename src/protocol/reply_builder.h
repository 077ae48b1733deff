// Builds RESP2 or RESP3 replies into an output buffer. Command code calls these; only this class
// knows the bytes of each reply type and how RESP2 degrades the RESP3 types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace weir::protocol {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out) : out_(out) {}

  void set_resp3(bool v) { resp3_ = v; }
  bool resp3() const { return resp3_; }
  std::string* buffer() { return out_; }

  void SimpleString(std::string_view s);
  void Ok() { out_->append("+OK\r\n"); }
  // `text` carries its prefix ("ERR ...", "WRONGTYPE ..."); a text without an uppercase prefix
  // gets "ERR " as Redis's addReplyError does not but callers expect: they always pass one.
  void Error(std::string_view text);
  // An error reply that was already counted in the error statistics where it arose (a script
  // passing on the error of a command it ran): it still fails the command, but INFO errorstats
  // does not count it twice.
  void ErrorCountedElsewhere(std::string_view text) {
    Error(text);
    last_error_counts_ = false;
  }
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  // RESP2 `$-1`, RESP3 `_`.
  void Null();
  // RESP2 `*-1`, RESP3 `_` (e.g. EXEC aborted by WATCH, BLPOP timeout).
  void NullArray();
  void ArrayLen(int64_t n);
  // RESP3 map / set / push headers; in RESP2 a map of n pairs is an array of 2n.
  void MapLen(int64_t n);
  void SetLen(int64_t n);
  void PushLen(int64_t n);
  void Double(double v);
  // A coordinate as Redis's addReplyHumanLongDouble (GEOPOS, WITHCOORD): "%.17Lf" without
  // trailing zeros, a bulk string in RESP2 and a double in RESP3.
  void HumanDouble(long double v);
  void Bool(bool v);
  // RESP3 verbatim string (`=len\r\ntxt:...`), a bulk string in RESP2.
  void Verbatim(std::string_view s, std::string_view format = "txt");
  void BigNumber(std::string_view digits);
  void EmptyArray() { out_->append("*0\r\n"); }

  // Deferred length, for replies whose count is known only at the end (Redis's
  // addReplyDeferredLen): Begin returns a mark, End writes the header there.
  size_t BeginDeferred() const { return out_->size(); }
  void EndDeferredArray(size_t mark, int64_t n);
  void EndDeferredMap(size_t mark, int64_t n);

  // Drops everything written since mark (BeginDeferred), errors included (a script run that
  // starts over).
  void Rewind(size_t mark, int64_t errors_emitted) {
    out_->resize(mark);
    errors_emitted_ = errors_emitted;
  }

  int64_t errors_emitted() const { return errors_emitted_; }
  std::string_view last_error() const { return last_error_; }
  // Whether the last error still has to be counted in the error statistics.
  bool last_error_counts() const { return last_error_counts_; }

 private:
  void AppendHeader(char type, int64_t n);
  void InsertHeader(size_t mark, char type, int64_t n);

  std::string* out_;
  bool resp3_ = false;
  int64_t errors_emitted_ = 0;
  std::string last_error_;
  bool last_error_counts_ = true;
};

}  // namespace weir::protocol
