// A growable byte buffer for socket input that, unlike std::string::resize, does not zero the
// space a read() is about to fill.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace weir::server {

class IoBuffer {
 public:
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view(size_t from) const { return {data_.get() + from, size_ - from}; }

  // Makes room for at least n more bytes after size(); returns where they go.
  char* PrepareWrite(size_t n) {
    if (capacity_ - size_ < n) {
      size_t cap = capacity_ == 0 ? n : capacity_;
      while (cap - size_ < n) cap *= 2;
      std::unique_ptr<char[]> fresh(new char[cap]);
      if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
      data_ = std::move(fresh);
      capacity_ = cap;
    }
    return data_.get() + size_;
  }
  void CommitWrite(size_t n) { size_ += n; }

  // Drops the first n bytes.
  void Consume(size_t n) {
    if (n >= size_) {
      size_ = 0;
    } else {
      std::memmove(data_.get(), data_.get() + n, size_ - n);
      size_ -= n;
    }
  }
  // Returns memory after a burst (a big bulk) once the buffer is nearly empty again.
  void ShrinkIfIdle(size_t keep) {
    if (capacity_ > keep * 4 && size_ <= keep) {
      std::unique_ptr<char[]> fresh(new char[keep]);
      if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_);
      data_ = std::move(fresh);
      capacity_ = keep;
    }
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace weir::server
