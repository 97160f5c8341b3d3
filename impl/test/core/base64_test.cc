#include "sioconf/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace sioconf {
namespace {

std::string decode(std::string_view text, bool* ok) {
  std::vector<std::uint8_t> out;
  *ok = base64_decode(text, out);
  return std::string(out.begin(), out.end());
}

TEST(Base64, Rfc4648Section10Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, coded] : vectors) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), coded);
    bool ok = false;
    EXPECT_EQ(decode(coded, &ok), plain);
    EXPECT_TRUE(ok) << coded;
    EXPECT_EQ(base64_decoded_size(coded), plain.size());
  }
}

TEST(Base64, EngineIoExample) {
  const std::uint8_t bytes[] = {1, 2, 3, 4};
  EXPECT_EQ(base64_encode(bytes), "AQIDBA==");  // engine.io-protocol v4: "bAQIDBA=="
}

TEST(Base64, StrictRejections) {
  // Node's Buffer.from(s, "base64") accepts all of these
  // (corpus/observed/eio-parser-5.2.3.txt Part A).
  for (std::string_view bad : {"AQIDBA", "AQ IDBA==", "!!!!", "====", "A===", "AQIDB===", "AQ=D",
                               "AQIDBB==" /* non-zero unused bits */, "AQIDBA=", "Zm9vYmE"}) {
    bool ok = true;
    std::vector<std::uint8_t> out{9};
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
    EXPECT_EQ(out.size(), 1u) << "output untouched on failure";
    EXPECT_EQ(base64_decoded_size(bad), std::nullopt) << bad;
    (void)ok;
  }
}

TEST(Base64, AllByteValuesRoundTrip) {
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const ByteView part(all.data(), n);
    std::vector<std::uint8_t> back;
    ASSERT_TRUE(base64_decode(base64_encode(part), back));
    EXPECT_EQ(back, std::vector<std::uint8_t>(part.begin(), part.end()));
  }
}

}  // namespace
}  // namespace sioconf
