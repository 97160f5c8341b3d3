// The HTML report: report data from adapters cannot change the page's markup.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "runner.h"

namespace sioconf::cli {

extern const char* const kReportTemplate;  // report_template.cc, generated from report/report.html
extern const char* const kEmbedTestInput;  // embed_test_input.cc, generated from a text over 64 KiB

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A run of one case whose answer, why and stderr hold what would break out of a <script>.
Run hostile_run() {
  Run run;
  Implementation impl;
  impl.key = "evil</script><script>alert(1)</script>";
  impl.stderr_tail = "<!--<script>";
  run.implementations.push_back(impl);
  Case c;
  c.id = "sio.t.x";
  c.layer = "sio";
  c.level = "must";
  c.test = json::object();  // the vector as written: nothing but what the report needs
  Result r;
  r.verdict = Verdict::fail;
  r.why = "<!--<script>";
  r.answer = {{"ok", true}, {"items", {"</script><img src=x onerror=alert(2)>", "<!--", "<script>"}}};
  r.stderr_text = "</SCRIPT>";
  c.results.push_back(r);
  run.cases.push_back(c);
  return run;
}

TEST(HtmlReport, DataAddsNoTagNorCommentToThePage) {
  const std::string page = report_html(hostile_run());
  const std::string page_template = kReportTemplate;
  // The page has exactly the template's markup: every "<" of the data was escaped.
  EXPECT_EQ(count(page, "<"), count(page_template, "<"));
  EXPECT_EQ(count(page, "<!--"), count(page_template, "<!--"));
  EXPECT_EQ(count(page, "</script"), count(page_template, "</script"));
  EXPECT_EQ(count(page, "/*SIOCONF_REPORT_DATA*/null"), 0u);
  // ... and the data is all there, as JSON escapes.
  EXPECT_NE(page.find(R"(\u003c!--\u003cscript>)"), std::string::npos);
  EXPECT_NE(page.find(R"(\u003c/script>\u003cimg src=x onerror=alert(2)>)"), std::string::npos);
}

std::string file_text(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The template as the binary holds it is report.html byte for byte, and a page is the template
// with the data in place of the marker.
TEST(HtmlReport, PageIsReportHtmlWithTheData) {
  const std::string page_template = file_text(SIOCONF_REPORT_TEMPLATE_FILE);
  ASSERT_FALSE(page_template.empty());
  EXPECT_EQ(std::string(kReportTemplate), page_template);
  const std::string marker = "/*SIOCONF_REPORT_DATA*/null";
  const auto at = page_template.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string page = report_html(sioconf::cli::Run{});
  const std::string after = page_template.substr(at + marker.size());
  EXPECT_EQ(page.substr(0, at), page_template.substr(0, at));
  ASSERT_GE(page.size(), after.size());
  EXPECT_EQ(page.substr(page.size() - after.size()), after);
}

// cmake/embed_file.cmake has no size ceiling (one string literal had 65,536 bytes under clang's
// -Woverlength-strings) and takes quotes, backslashes, trigraphs and a raw literal's delimiter as
// they are.
TEST(HtmlReport, TextsOver64KiBEmbedWhole) {
  const std::string text = file_text(SIOCONF_EMBED_TEST_INPUT);
  EXPECT_GT(text.size(), 65536u);
  EXPECT_EQ(std::string(kEmbedTestInput), text);
}

}  // namespace
}  // namespace sioconf::cli
