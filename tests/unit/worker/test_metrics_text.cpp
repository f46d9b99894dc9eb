// The worker's metrics text (Prometheus's exposition format written in pieces), its gzip form and the
// textfile written through a rename, in memory and in a temporary folder; /metrics served on loopback.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <httplib.h>
#include <mutex>
#include <sstream>
#include <unistd.h>

#include "partman/worker/exposition.hpp"
#include "partman/worker/gzip.hpp"
#include "partman/worker/http.hpp"

using namespace partman::worker;

namespace {

// Returns everything `reader` gives, in pieces of `piece` bytes.
std::string read_all(GunzipReader& reader, std::size_t piece)
{
  std::string out;
  for (std::string p = reader.next(piece); !p.empty(); p = reader.next(piece)) {
    CHECK(p.size() <= piece);
    out += p;
  }
  return out;
}

} // namespace

TEST_CASE("metrics text: HELP and TYPE once, label values escaped, empty families left out")
{
  std::string text;
  int pieces = 0;
  Exposition e([&](std::string_view piece) {
    text += piece;
    ++pieces;
  });
  e.family("partman_unused", "counter", "never sampled");
  e.family("partman_up", "gauge", "1 when up\nsecond line");
  e.sample("partman_up", {{"database", "a\"b\\c\nd"}}, 1);
  e.sample("partman_up", {{"database", "x"}, {"parent", "p"}}, 0.5);
  CHECK_THROWS(e.sample("partman_other", {}, 1));
  CHECK_THROWS(e.sample("partman_up_sum", {}, 1)); // not a summary
  e.family("partman_run_seconds", "summary", "runs");
  e.sample("partman_run_seconds_sum", {}, 2.5);
  e.sample("partman_run_seconds_count", {}, 2);
  CHECK_THROWS(e.sample("partman_run_seconds_total", {}, 1));
  CHECK_THROWS(e.sample("partman_up", {}, 1)); // its family is over: samples of a family stay together
  CHECK_THROWS(e.family("partman_up", "gauge", "again"));
  CHECK(text.empty()); // nothing reaches the sink before a piece is full or the end
  e.finish();
  CHECK(pieces == 1);
  CHECK(text == "# HELP partman_up 1 when up\\nsecond line\n# TYPE partman_up gauge\n"
                "partman_up{database=\"a\\\"b\\\\c\\nd\"} 1\npartman_up{database=\"x\",parent=\"p\"} 0.5\n"
                "# HELP partman_run_seconds runs\n# TYPE partman_run_seconds summary\n"
                "partman_run_seconds_sum 2.5\npartman_run_seconds_count 2\n");
}

TEST_CASE("metrics text: a fleet's text reaches the sink in pieces of about 64 KB, whole and in order")
{
  std::string text;
  std::size_t largest = 0, pieces = 0;
  Exposition e([&](std::string_view piece) {
    text += piece;
    largest = std::max(largest, piece.size());
    ++pieces;
  });
  e.family("partman_leader", "gauge", "leads");
  std::ostringstream expected;
  expected << "# HELP partman_leader leads\n# TYPE partman_leader gauge\n";
  for (int i = 0; i < 20000; ++i) {
    const std::string db = "postgres@host:5432/db_" + std::to_string(i);
    e.sample("partman_leader", {{"database", db}}, i % 2);
    expected << "partman_leader{database=\"" << db << "\"} " << i % 2 << '\n';
  }
  e.finish();
  CHECK(text == expected.str());
  CHECK(pieces > 10);
  CHECK(largest < 64 * 1024 + 200);
}

TEST_CASE("gzip: what is written in pieces reads back the same, in pieces of any size")
{
  std::string text;
  for (int i = 0; i < 50000; ++i)
    text += "partman_up{database=\"db_" + std::to_string(i) + "\"} 1\n";
  GzipWriter writer;
  for (std::size_t at = 0; at < text.size(); at += 7919)
    writer.write(std::string_view(text).substr(at, 7919));
  const std::string gz = writer.finish();
  CHECK(gz.size() * 10 < text.size());
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f); // gzip's magic bytes, as HTTP's Content-Encoding wants
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
  for (const std::size_t piece : {std::size_t{1000}, std::size_t{65536}, text.size() * 2}) {
    GunzipReader reader(gz);
    CHECK(read_all(reader, piece) == text);
  }
  GzipWriter empty;
  GunzipReader nothing(empty.finish());
  CHECK(nothing.next(100).empty());
}

TEST_CASE("gzip: cut or corrupt data is refused, never read as text")
{
  GzipWriter writer;
  writer.write("partman_up 1\npartman_leader 1\n");
  std::string gz = writer.finish();
  GunzipReader cut(gz.substr(0, gz.size() / 2));
  CHECK_THROWS_WITH(read_all(cut, 100), "gzip: corrupt data");
  gz[gz.size() / 2] ^= 0x55;
  GunzipReader flipped(gz);
  CHECK_THROWS_WITH(read_all(flipped, 100), "gzip: corrupt data");
}

TEST_CASE("textfile: written under a temporary name and renamed, or left as it was")
{
  char folder[] = "/tmp/partman-textfile.XXXXXX";
  REQUIRE(::mkdtemp(folder) != nullptr);
  const std::string path = std::string(folder) + "/partman.prom";
  {
    std::ofstream(path) << "old\n";
  }
  const auto read = [](const std::string& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  {
    AtomicFile file(path);
    file.write("partman_up 1\n");
    CHECK(read(path) == "old\n"); // a reader sees the old file until the rename
    file.write("partman_leader 1\n");
    file.commit();
  }
  CHECK(read(path) == "partman_up 1\npartman_leader 1\n");
  {
    AtomicFile abandoned(path);
    abandoned.write("half");
  } // not committed: the temporary file goes, the file stays
  CHECK(read(path) == "partman_up 1\npartman_leader 1\n");
  CHECK_THROWS_WITH(AtomicFile(std::string(folder) + "/missing/partman.prom"),
                    Catch::Contains("cannot write the metrics file") && Catch::Contains("/missing/"));
  std::remove(path.c_str());
  CHECK(::rmdir(folder) == 0); // no temporary file left behind
}

TEST_CASE("/metrics: empty before the first render, the text when asked plainly or with gzip, an error on "
          "corrupt data")
{
  std::string stored;
  std::mutex m;
  HttpEndpoint endpoint("127.0.0.1:0",
                        HttpHandlers{[&] {
                                       std::lock_guard<std::mutex> lock(m);
                                       return stored;
                                     },
                                     [] { return std::string(); }, [] { return std::string(); }});
  httplib::Client client("127.0.0.1", endpoint.port());
  auto before = client.Get("/metrics");
  REQUIRE(before);
  CHECK(before->status == 200);
  CHECK(before->body.empty());

  std::string text;
  for (int i = 0; i < 30000; ++i)
    text += "partman_up{database=\"db_" + std::to_string(i) + "\"} 1\n";
  GzipWriter writer;
  writer.write(text);
  {
    std::lock_guard<std::mutex> lock(m);
    stored = writer.finish();
  }
  auto plain = client.Get("/metrics");
  REQUIRE(plain);
  CHECK(plain->status == 200);
  CHECK(plain->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(plain->body == text);
  auto zipped = client.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  REQUIRE(zipped);
  CHECK(zipped->get_header_value("Content-Encoding") == "gzip");
  CHECK(zipped->body == text); // httplib's client inflates it
  {
    std::lock_guard<std::mutex> lock(m);
    stored[stored.size() / 2] ^= 0x55;
  }
  auto corrupt = client.Get("/metrics");
  CHECK((!corrupt || corrupt->body != text)); // cut short, never a wrong text; and the process lives on
  auto after = client.Get("/metrics");
  CHECK((!after || after->body != text));
}
