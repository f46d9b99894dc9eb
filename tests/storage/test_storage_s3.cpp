// Archive storage on a real S3-compatible server: unreachable, refused, and configured from the AWS files.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "partman/archive/storage.hpp"
#include "storage_fixtures.hpp"

using namespace partman::archive;
using namespace partman::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Environment variables to set (a value) or unset (nothing).
using Env = std::map<std::string, std::optional<std::string>>;

// Sets or unsets environment variables for a scope.
class EnvGuard
{
public:
  explicit EnvGuard(const Env& values)
  {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      set(name, value);
    }
  }
  ~EnvGuard()
  {
    for (const auto& [name, value] : saved_)
      set(name, value);
  }

private:
  static void set(const std::string& name, const std::optional<std::string>& value)
  {
    if (value)
      setenv(name.c_str(), value->c_str(), 1);
    else
      unsetenv(name.c_str());
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

// A port on 127.0.0.1 where nothing listens.
int closed_port()
{
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

} // namespace

TEST_CASE("s3: unreachable storage fails quickly, naming the endpoint and not the secret", "[storage][s3]")
{
  const std::string base = s3_base();
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  const std::string secret = "unreachable-Secret/Key+123";
  EnvGuard env(Env{{"AWS_ENDPOINT_URL", endpoint}, {"AWS_SECRET_ACCESS_KEY", secret}});
  auto s = open_storage(base + "/unreachable");
  const auto start = std::chrono::steady_clock::now();
  const std::string message = storage_error_of([&] { s->put("k", "data"); });
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(message);
  CHECK(seconds < 10);
  CHECK_THAT(message, Contains("storage unreachable") && Contains(endpoint));
  CHECK_THAT(message, !Contains(secret));

  const std::string size_message = storage_error_of([&] { s->size("k"); });
  CHECK_THAT(size_message, Contains("storage unreachable") && Contains(endpoint));
  auto w = s->open_write("big");
  const std::string data = random_bytes(9 << 20, 1);
  const std::string write_message = storage_error_of([&] {
    w->write(data.data(), data.size());
    w->commit();
  });
  CHECK_THAT(write_message, Contains("storage unreachable") && !Contains(secret));
}

TEST_CASE("s3: wrong credentials are refused without the secret in the message", "[storage][s3]")
{
  const std::string base = s3_base();
  SECTION("a wrong secret key")
  {
    const std::string secret = "wrong-Secret/Key+0123456789";
    EnvGuard env(Env{{"AWS_SECRET_ACCESS_KEY", secret}});
    auto s = open_storage(base + "/" + random_name());
    for (const auto& message :
         {storage_error_of([&] { s->put("k", "data"); }), storage_error_of([&] { s->get("k"); }),
          storage_error_of([&] { s->size("k"); }), storage_error_of([&] {
            auto w = s->open_write("big");
            const std::string data = random_bytes(9 << 20, 2);
            w->write(data.data(), data.size());
            w->commit();
          })}) {
      INFO(message);
      CHECK_THAT(message, Contains("403") && !Contains(secret) && !Contains("Signature="));
    }
    CHECK_THAT(storage_error_of([&] { s->put("k", "data"); }), Contains("SignatureDoesNotMatch"));
  }
  SECTION("an unknown access key")
  {
    EnvGuard env(Env{{"AWS_ACCESS_KEY_ID", "NOSUCHKEY"}});
    auto s = open_storage(base + "/" + random_name());
    const std::string message = storage_error_of([&] { s->put("k", "data"); });
    CHECK_THAT(message, Contains("403") && Contains("InvalidAccessKeyId") && !Contains(s3_secret()));
  }
}

TEST_CASE("s3: configuration from the AWS files and profiles", "[storage][s3]")
{
  const std::string base = s3_base();
  const std::string endpoint = std::getenv("AWS_ENDPOINT_URL");
  const std::string folder = make_temp_folder();
  const std::string credentials = folder + "/credentials";
  const std::string config = folder + "/config";
  {
    std::ofstream(credentials) << "[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n\n"
                               << "# the one used\n[archive]\naws_access_key_id = "
                               << std::getenv("AWS_ACCESS_KEY_ID")
                               << "\naws_secret_access_key = " << s3_secret() << "\n";
    std::ofstream(config) << "[default]\nregion = eu-west-1\n[profile archive]\nregion = us-east-1\ns3 =\n"
                          << "  endpoint_url = " << endpoint << "\n";
  }
  Env values{{"AWS_ACCESS_KEY_ID", std::nullopt},
             {"AWS_SECRET_ACCESS_KEY", std::nullopt},
             {"AWS_ENDPOINT_URL", std::nullopt},
             {"AWS_ENDPOINT_URL_S3", std::nullopt},
             {"AWS_REGION", std::nullopt},
             {"AWS_DEFAULT_REGION", std::nullopt},
             {"AWS_SHARED_CREDENTIALS_FILE", credentials},
             {"AWS_CONFIG_FILE", config},
             {"AWS_PROFILE", "archive"}};
  SECTION("a named profile")
  {
    EnvGuard env(values);
    auto s = open_storage(base + "/" + random_name());
    s->put("k", "from the files");
    CHECK(s->get("k") == "from the files");
  }
  SECTION("the default profile's wrong keys are refused")
  {
    values["AWS_PROFILE"] = std::nullopt;
    values["AWS_ENDPOINT_URL"] = endpoint;
    EnvGuard env(values);
    auto s = open_storage(base + "/" + random_name());
    CHECK_THAT(storage_error_of([&] { s->put("k", "x"); }), Contains("InvalidAccessKeyId"));
  }
  SECTION("no credentials anywhere")
  {
    values["AWS_PROFILE"] = "missing";
    EnvGuard env(values);
    CHECK_THAT(storage_error_of([&] { open_storage(base); }),
               Contains("no S3 credentials") && Contains("missing"));
  }
  SECTION("half of the credentials")
  {
    values["AWS_ACCESS_KEY_ID"] = "S3RVER";
    EnvGuard env(values);
    CHECK_THAT(storage_error_of([&] { open_storage(base); }), Contains("AWS_SECRET_ACCESS_KEY is not"));
  }
  fs::remove_all(folder);
}
