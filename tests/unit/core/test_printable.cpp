// Text output for a terminal: control characters from the catalog are shown as escapes in plan and status
// text, never sent to the terminal as they are.
#include <catch2/catch.hpp>

#include "partman/core/names.hpp"
#include "partman/core/printable.hpp"
#include "partman/core/render.hpp"
#include "partman/core/status.hpp"
#include "planner_helpers.hpp"

using namespace partman::core;
using namespace partman::test;

namespace {

// A table name that clears the screen, moves the cursor up and erases the line, and starts a line of its
// own that looks like a plan line.
const std::string k_evil = "ev\x1b[2J\x1b[1A\x1b[2K\n  - drop \"public\".\"important\"";

// Returns true when `text` holds a control character other than the newlines that end its lines, or a C1
// control in UTF-8.
bool has_raw_controls(const std::string& text)
{
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f)
      return true;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9f)
      return true;
  }
  return false;
}

// Returns the lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix)
{
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t end = text.find('\n', from);
    const std::string line = text.substr(from, end == std::string::npos ? std::string::npos : end - from);
    if (line.rfind(prefix, 0) == 0)
      out.push_back(line);
    from = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

} // namespace

TEST_CASE("printable: control characters become visible escapes, other text stays")
{
  CHECK(printable("events") == "events");
  CHECK(printable("") == "");
  CHECK(printable("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(printable("\x1b[2J") == "\\x1b[2J");
  CHECK(printable(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(printable("\x01\x1f\x7f") == "\\x01\\x1f\\x7f");
  // C1 controls arrive as UTF-8 (U+009B is a one-character CSI on some terminals).
  CHECK(printable("a\xc2\x9b"
                  "2Jb\xc2\x80\xc2\x9f") == "a\\u009b2Jb\\u0080\\u009f");
  // Other UTF-8, including U+00A0 right after the C1 range, and backslashes stay as they are.
  CHECK(printable("Stra\xc3\x9f"
                  "e \xc2\xa0 \xe2\x82\xac \\n") == "Stra\xc3\x9f"
                                                    "e \xc2\xa0 \xe2\x82\xac \\n");
  // A lone lead byte at the end is not a C1 control.
  CHECK(printable("x\xc2") == "x\xc2");
  std::string out;
  append_line(out, "one\ntwo");
  append_line(out, "three");
  CHECK(out == "one\\ntwo\nthree\n");
}

TEST_CASE("printable: plan text escapes a name with ESC and newline, SQL and JSON keep it exact")
{
  const Plan plan = make_plan({make_parent("public", k_evil)}, {make_policy("public", k_evil, "1 day", 1)},
                              at("2026-11-25 04:20Z"));
  REQUIRE(plan.action_count() == 2);
  const std::string text = render_text(plan);
  INFO(text);
  CHECK(!has_raw_controls(text));
  // The name's newline does not start a line of its own: the only "  - " lines are real actions (none).
  CHECK(lines_starting(text, "  - ").empty());
  CHECK(lines_starting(text, "  + create").size() == 2);
  CHECK(
      text.find("\"public\".\"ev\\x1b[2J\\x1b[1A\\x1b[2K\\n  - drop \"\"public\"\".\"\"important\"\"\" (") !=
      std::string::npos);
  // SQL is the truth: the identifier is there as it is, inside its quotes.
  CHECK(render_sql(plan, "1s", "100ms").find(quote_ident(k_evil)) != std::string::npos);
  // JSON escapes control characters itself.
  CHECK(!has_raw_controls(render_json(plan)));
}

TEST_CASE("printable: status text escapes names and keeps its columns aligned")
{
  auto parent = make_parent("public", k_evil);
  const std::string child = "ev\x1b[31mred";
  parent.children.push_back(
      make_child("public", child, "2026-11-25 00:00:00+00:00", "2026-11-26 00:00:00+00:00"));
  parent.children.push_back(
      make_child("public", "plain", "2026-11-26 00:00:00+00:00", "2026-11-27 00:00:00+00:00"));
  const auto policy = make_policy("public", k_evil, "1 day", 2);
  const ParentStatus st = make_status(parent, policy, at("2026-11-25 04:20Z"));
  const std::string text = render_status_text({st});
  INFO(text);
  CHECK(!has_raw_controls(text));
  const auto rows = lines_starting(text, "  \"public\".");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].rfind("  \"public\".\"ev\\x1b[31mred\"  2026-11-25 00:00:00+00:00", 0) == 0);
  // Both rows have their "from" column at the same place.
  CHECK(rows[0].find("2026-11-25 00:00:00") == rows[1].find("2026-11-26 00:00:00"));
  CHECK(lines_starting(text, "  - drop").empty());
  // An error that quotes the name is escaped too.
  auto missing = make_parent("public", k_evil);
  missing.exists = false;
  CHECK(!has_raw_controls(render_status_text({make_status(missing, policy, at("2026-11-25 04:20Z"))})));
}
