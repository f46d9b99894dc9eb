// The worker's configuration (file, environment, command line), in memory.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "partman/core/errors.hpp"
#include "partman/worker/config.hpp"

using namespace partman;
using namespace partman::worker;

namespace {

// A TOML file that exists while the test runs.
struct TempFile
{
  std::string path;
  explicit TempFile(const std::string& text)
  {
    char name[] = "/tmp/partman-config-XXXXXX";
    const int fd = mkstemp(name);
    ::close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

const std::map<std::string, std::string> k_no_env;

std::string error_of(const std::string& path, const CommandLineValues& cli = {},
                     const std::map<std::string, std::string>& env = k_no_env)
{
  try {
    load_config(path, true, cli, &env);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("the worker's configuration: command line over environment over file over default")
{
  TempFile file("dsn = [\"service=a\", \"host=b dbname=c\"]\ninterval = \"5min\"\nmax_connections = 3\n"
                "removal_window = \"01:00-05:00 Europe/Berlin\"\nlisten = \"off\"\n");
  const std::map<std::string, std::string> env{{"PARTMAN_MAX_CONNECTIONS", "4"}, {"PARTMAN_SCHEMA", "pm"}};
  auto c = load_config(file.path, true, {}, &env);
  CHECK(c.dsns == std::vector<std::string>{"service=a", "host=b dbname=c"});
  CHECK(c.interval == core::Millis(300'000));
  CHECK(c.max_connections == 4);
  CHECK(c.schema == "pm");
  CHECK(c.listen.empty());
  CHECK(c.window.zone != nullptr);
  CHECK(c.shutdown_timeout == core::Millis(30'000)); // the default
  c = load_config(file.path, true, {{"max_connections", {"5"}}, {"interval", {"30s"}}}, &env);
  CHECK(c.max_connections == 5);
  CHECK(c.interval == core::Millis(30'000));
  CHECK(value_text(c, "interval") == "30s");
  CHECK(value_text(c, "dsn") == "service=a, host=b dbname=c");
}

TEST_CASE("a missing default file is no error, a missing given one is")
{
  CHECK_NOTHROW(load_config("/nonexistent/worker.toml", false, {{"dsn", {"service=x"}}}, &k_no_env));
  CHECK(error_of("/nonexistent/worker.toml").find("cannot read '/nonexistent/worker.toml'") !=
        std::string::npos);
}

TEST_CASE("bad configuration names the key, the source and the value")
{
  TempFile unknown("intervall = \"5min\"\n");
  CHECK(error_of(unknown.path).find("unknown key 'intervall'") != std::string::npos);
  TempFile wrong_type("interval = 5\n");
  CHECK(error_of(wrong_type.path).find("interval: a string expected") != std::string::npos);
  TempFile not_list("dsn = \"service=a\"\n");
  CHECK(error_of(not_list.path).find("dsn: an array of strings expected") != std::string::npos);
  TempFile syntax("interval = \"5min\n");
  CHECK(error_of(syntax.path).find(syntax.path + ":1:") != std::string::npos);
  TempFile empty("");
  CHECK(error_of(empty.path, {{"interval", {"10"}}})
            .find("command line --interval: interval: invalid duration '10'") != std::string::npos);
  CHECK(error_of(empty.path, {}, {{"PARTMAN_MAX_CONNECTIONS", "0"}})
            .find("environment PARTMAN_MAX_CONNECTIONS: max_connections: '0' is not a whole number from 1") !=
        std::string::npos);
  CHECK(error_of(empty.path, {{"removal_window", {"25:00-01:00"}}})
            .find("invalid removal window '25:00-01:00'") != std::string::npos);
  CHECK(error_of(empty.path, {{"listen", {"localhost"}}}).find("has no port") != std::string::npos);
  CHECK(error_of(empty.path, {{"interval", {"50ms"}}}).find("below 100ms") != std::string::npos);
}

TEST_CASE("every key has an option and an environment variable")
{
  for (const auto& key : config_keys()) {
    CHECK(option_name(key).rfind("--", 0) == 0);
    CHECK(env_name(key).rfind("PARTMAN_", 0) == 0);
    CHECK(option_name(key).find('_') == std::string::npos);
  }
}
