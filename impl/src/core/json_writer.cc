#include "sioconf/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "sioconf/utf8.h"

namespace sioconf {
namespace {

constexpr std::uint8_t kHasMembers = 0x80;

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// ECMAScript Number::toString: the shortest digits that read back exactly (what std::to_chars
// finds), laid out as JSON.stringify lays them out, so our text matches socket.io-parser's.
void append_double(std::string& out, double v) {
  if (v == 0) {  // also -0, which JSON.stringify writes as 0
    out += '0';
    return;
  }
  if (v < 0) {
    out += '-';
    v = -v;
  }
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  // buf = d[.ddd]e(+|-)XX
  const char* e = static_cast<const char*>(std::memchr(buf, 'e', static_cast<std::size_t>(r.ptr - buf)));
  char digits[24];
  std::size_t k = 1;
  digits[0] = buf[0];
  if (buf[1] == '.') {
    std::memcpy(digits + 1, buf + 2, static_cast<std::size_t>(e - (buf + 2)));
    k += static_cast<std::size_t>(e - (buf + 2));
  }
  int exp = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), r.ptr, exp);
  const int n = exp + 1;  // the decimal point sits after n digits
  const int kk = static_cast<int>(k);
  if (kk <= n && n <= 21) {
    out.append(digits, k);
    out.append(static_cast<std::size_t>(n - kk), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits + n, k - static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out.append(digits, k);
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits + 1, k - 1);
    }
    out += 'e';
    out += n - 1 < 0 ? '-' : '+';
    append_uint(out, static_cast<std::uint64_t>(std::abs(n - 1)));
  }
}

}  // namespace

void JsonWriter::fail(Errc e) noexcept {
  if (error_ == Errc::none) error_ = e;
}

bool JsonWriter::before_value() noexcept {
  if (error_ != Errc::none) return false;
  if (stack_.empty()) {
    if (root_done_) {
      fail(Errc::json_syntax);  // RFC 8259 2: a JSON text is one value
      return false;
    }
    return true;
  }
  std::uint8_t& top = stack_.back();
  if ((top & ~kHasMembers) == '{') {
    if (!key_pending_) {
      fail(Errc::json_syntax);  // RFC 8259 4: a member is a name, then a value
      return false;
    }
    key_pending_ = false;
    return true;
  }
  if (top & kHasMembers) out_ += ',';
  top |= kHasMembers;
  return true;
}

void JsonWriter::write_string(std::string_view s) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s, start, i - start);
    start = i + 1;
    switch (c) {  // RFC 8259 7, in JSON.stringify's choice of forms
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:  // includes \x1e, the polling record separator
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 15];
    }
  }
  out_.append(s, start, s.size() - start);
  out_ += '"';
}

JsonWriter& JsonWriter::begin_array() noexcept {
  if (!before_value()) return *this;
  out_ += '[';
  stack_.push_back('[');
  return *this;
}

JsonWriter& JsonWriter::begin_object() noexcept {
  if (!before_value()) return *this;
  out_ += '{';
  stack_.push_back('{');
  return *this;
}

JsonWriter& JsonWriter::end_array() noexcept {
  if (error_ != Errc::none) return *this;
  if (stack_.empty() || (stack_.back() & ~kHasMembers) != '[') {
    fail(Errc::json_syntax);
    return *this;
  }
  out_ += ']';
  stack_.pop_back();
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() noexcept {
  if (error_ != Errc::none) return *this;
  if (stack_.empty() || (stack_.back() & ~kHasMembers) != '{' || key_pending_) {
    fail(Errc::json_syntax);
    return *this;
  }
  out_ += '}';
  stack_.pop_back();
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) noexcept {
  if (error_ != Errc::none) return *this;
  if (stack_.empty() || (stack_.back() & ~kHasMembers) != '{' || key_pending_) {
    fail(Errc::json_syntax);
    return *this;
  }
  if (!is_valid_utf8(as_bytes(k))) {
    fail(Errc::json_bad_utf8);  // RFC 8259 8.1
    return *this;
  }
  if (stack_.back() & kHasMembers) out_ += ',';
  stack_.back() |= kHasMembers;
  write_string(k);
  out_ += ':';
  key_pending_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) noexcept {
  if (!is_valid_utf8(as_bytes(s))) {
    fail(Errc::json_bad_utf8);  // RFC 8259 8.1
    return *this;
  }
  if (!before_value()) return *this;
  write_string(s);
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(std::int64_t v) noexcept {
  if (!before_value()) return *this;
  if (v < 0) {
    out_ += '-';
    append_uint(out_, static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(v));
  } else {
    append_uint(out_, static_cast<std::uint64_t>(v));
  }
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(std::uint64_t v) noexcept {
  if (!before_value()) return *this;
  append_uint(out_, v);
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(double v) noexcept {
  if (!std::isfinite(v)) {
    fail(Errc::json_number);  // RFC 8259 6: NaN and Infinity are not permitted
    return *this;
  }
  if (!before_value()) return *this;
  append_double(out_, v);
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) noexcept {
  if (!before_value()) return *this;
  out_ += b ? "true" : "false";
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() noexcept {
  if (!before_value()) return *this;
  out_ += "null";
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::raw_json(std::string_view json) noexcept {
  if (json.empty()) {
    fail(Errc::json_syntax);
    return *this;
  }
  if (!before_value()) return *this;
  out_ += json;
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::raw_elements(std::string_view array_json) noexcept {
  const std::size_t open = array_json.find_first_not_of(" \t\n\r");
  const std::size_t close = array_json.find_last_not_of(" \t\n\r");
  if (error_ != Errc::none) return *this;
  if (stack_.empty() || (stack_.back() & ~kHasMembers) != '[' || open == std::string_view::npos ||
      array_json[open] != '[' || array_json[close] != ']' || open == close) {
    fail(Errc::json_syntax);
    return *this;
  }
  const std::string_view inner = array_json.substr(open + 1, close - open - 1);
  if (inner.find_first_not_of(" \t\n\r") == std::string_view::npos) return *this;  // no elements
  if (!before_value()) return *this;
  out_ += inner;
  return *this;
}

JsonWriter& JsonWriter::binary(ByteView bytes) noexcept {
  if (!before_value()) return *this;
  // socket.io-protocol v5: each binary value becomes a placeholder naming its attachment.
  out_ += "{\"_placeholder\":true,\"num\":";
  append_uint(out_, attachment_ends_.size());
  out_ += '}';
  attachments_.insert(attachments_.end(), bytes.begin(), bytes.end());
  attachment_ends_.push_back(attachments_.size());
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::attach(ByteView bytes) noexcept {
  attachments_.insert(attachments_.end(), bytes.begin(), bytes.end());
  attachment_ends_.push_back(attachments_.size());
  return *this;
}

void JsonWriter::clear() noexcept {
  out_.clear();
  stack_.clear();
  key_pending_ = false;
  root_done_ = false;
  error_ = Errc::none;
  attachments_.clear();
  attachment_ends_.clear();
}

ByteView JsonWriter::attachment(std::size_t i) const noexcept {
  if (i >= attachment_ends_.size()) return {};
  const std::size_t start = i == 0 ? 0 : attachment_ends_[i - 1];
  return ByteView(attachments_.data() + start, attachment_ends_[i] - start);
}

}  // namespace sioconf
