// The LZF format is a sequence of control bytes, each followed by its operands:
//   000LLLLL                       a literal run: the next L+1 bytes are copied as they are;
//   LLLOOOOO oooooooo              a back-reference of length L+2 (L in 1..6) at distance
//                                  (OOOOO << 8 | oooooooo) + 1 before the current output end;
//   111OOOOO LLLLLLLL oooooooo     the same with length LLLLLLLL + 9.
// A back-reference may overlap the bytes it produces (a run of one repeated byte), so it is
// copied byte by byte.
#include "common/lzf.h"

namespace weir {

bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  out->clear();
  out->reserve(out_len);
  size_t i = 0;
  while (i < in.size()) {
    unsigned ctrl = static_cast<unsigned char>(in[i++]);
    if (ctrl < 32) {
      size_t run = ctrl + 1;
      if (in.size() - i < run || out->size() + run > out_len) return false;
      out->append(in.substr(i, run));
      i += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (i >= in.size()) return false;
      len += static_cast<unsigned char>(in[i++]);
    }
    if (i >= in.size()) return false;
    size_t distance = ((ctrl & 0x1f) << 8) + static_cast<unsigned char>(in[i++]) + 1;
    len += 2;
    if (distance > out->size() || out->size() + len > out_len) return false;
    size_t from = out->size() - distance;
    for (size_t k = 0; k < len; ++k) out->push_back((*out)[from + k]);
  }
  return out->size() == out_len;
}

}  // namespace weir
