// sioconf/base64.h — base64 (RFC 4648 section 4, standard alphabet, '=' padding).
//
// Used by Engine.IO polling ("b" + base64 of a binary message) and by the tooling (adapter JSON).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"

namespace sioconf {

/// Standard base64 with padding, as Node's Buffer.toString("base64") writes it.
std::string base64_encode(ByteView bytes);

/// Exact number of bytes `text` decodes to if it is strict base64, else nullopt.
/// Strict means: length a multiple of 4, only the standard alphabet, '=' only as the last one or
/// two characters, and the unused low bits of the last symbol zero (one text per byte string).
/// Node's decoder is lenient (it skips bad characters and accepts missing padding); sioconf is not.
std::optional<std::size_t> base64_decoded_size(std::string_view text) noexcept;

/// Decodes strict base64 into `out` (appending). Returns false, leaving `out` as it was, when
/// `text` is not strict base64.
bool base64_decode(std::string_view text, std::vector<std::uint8_t>& out);

}  // namespace sioconf
