// Private to core: a block-parallel JSON acceptor in front of JsonScanner's exact walk.
//
// Why: the exact walk visits every structural character one after the other and is bound by
// branches (ci/bench: ~0.8 GB/s on the Socket.IO mix). This acceptor looks at 64 bytes at a time
// and checks JSON's rules as bit masks: string and escape masks, the byte classes outside strings,
// what may follow what (skipping blanks with one addition per rule), the shape of every number,
// and, in one pass over the brackets only, nesting, bracket kinds and the separators of each
// object and array. It never names an error: it either proves the text valid or says "not proven",
// and then the exact walk decides (and names the error). Anything unusual (an exponent, a \u
// escape, a digit run of 16 or more, nesting deeper than the limit or 64, a CPU without AVX2) is
// left to the walk, so the acceptor only has to be right about the common shapes.
#pragma once

#include <cstdint>
#include <string_view>

namespace sioconf::detail {

/// True only if `text` is one valid JSON value (RFC 8259, as simdjson 3.0.1 reads it: numbers in
/// int64/uint64/finite double) in which no value sits inside more than `max_depth` containers.
/// False when it is not, or when this acceptor cannot tell.
bool json_fast_accept(std::string_view text, std::uint64_t max_depth) noexcept;

/// Whether json_fast_accept can ever return true on this machine (AVX2, BMI2, PCLMUL present).
bool json_fast_available() noexcept;

/// The variant in use: "avx512", "avx2" or "off". The widest the CPU has unless the environment
/// variable SIOCONF_JSON_FAST (read once) caps it: "avx2" or "off".
const char* json_fast_isa() noexcept;

}  // namespace sioconf::detail
