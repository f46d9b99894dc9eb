#include "partman/archive/s3_config.hpp"

#include <cctype>
#include <cstdlib>
#include <ini.h>
#include <map>
#include <optional>
#include <utility>

#include "partman/archive/storage.hpp"

namespace partman::archive::detail {

std::string trim(const std::string& s)
{
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return "";
  return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

std::string lower(std::string s)
{
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

std::string env(const char* name)
{
  const char* value = std::getenv(name);
  return value ? value : "";
}

// One [section] of an INI file as inih reads it, and whether the section holds any setting.
struct IniSection
{
  std::string name;
  std::map<std::string, std::string> values;
  bool found = false;
};

// Takes one setting from inih: keys in lower case; an indented line under an empty setting ("s3 =" then
// "  endpoint_url = ..."), which inih passes as a continuation of "s3", is kept as "s3.endpoint_url".
int on_ini_value(void* user, const char* section, const char* name, const char* value)
{
  auto* out = static_cast<IniSection*>(user);
  if (out->name != section)
    return 1;
  out->found = true;
  const std::string key = lower(trim(name));
  const std::string text = trim(value);
  const auto eq = text.find('=');
  auto& existing = out->values[key];
  if (existing.empty() && eq != std::string::npos)
    out->values[key + "." + lower(trim(text.substr(0, eq)))] = trim(text.substr(eq + 1));
  else if (existing.empty())
    existing = text;
  return 1;
}

// Reads one [section] of an INI file of the AWS tools; nothing when the file or the section is missing.
std::optional<std::map<std::string, std::string>> read_ini_section(const std::string& path,
                                                                   const std::string& section)
{
  IniSection out{section, {}, false};
  if (path.empty() || ini_parse(path.c_str(), &on_ini_value, &out) < 0 || !out.found)
    return std::nullopt;
  return out.values;
}

std::string value_in(const std::optional<std::map<std::string, std::string>>& section, const std::string& key)
{
  if (!section)
    return "";
  const auto it = section->find(key);
  return it == section->end() ? "" : it->second;
}

} // namespace

S3Config load_s3_config()
{
  S3Config c;
  const std::string profile = env("AWS_PROFILE").empty() ? "default" : env("AWS_PROFILE");
  const std::string home = env("HOME");
  std::string credentials_path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_path.empty() && !home.empty())
    credentials_path = home + "/.aws/credentials";
  std::string config_path = env("AWS_CONFIG_FILE");
  if (config_path.empty() && !home.empty())
    config_path = home + "/.aws/config";
  const auto credentials = read_ini_section(credentials_path, profile);
  auto config = read_ini_section(config_path, profile == "default" ? "default" : "profile " + profile);
  if (!config && profile == "default")
    config = read_ini_section(config_path, "profile default");

  if (!env("AWS_ACCESS_KEY_ID").empty() || !env("AWS_SECRET_ACCESS_KEY").empty()) {
    c.access_key = env("AWS_ACCESS_KEY_ID");
    c.secret_key = env("AWS_SECRET_ACCESS_KEY");
    c.session_token = env("AWS_SESSION_TOKEN");
    if (c.access_key.empty() || c.secret_key.empty())
      throw StorageError(std::string("incomplete S3 credentials: ") +
                         (c.access_key.empty()
                              ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                              : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
  } else {
    for (const auto* section : {&credentials, &std::as_const(config)}) {
      if (!value_in(*section, "aws_access_key_id").empty() ||
          !value_in(*section, "aws_secret_access_key").empty()) {
        c.access_key = value_in(*section, "aws_access_key_id");
        c.secret_key = value_in(*section, "aws_secret_access_key");
        c.session_token = value_in(*section, "aws_session_token");
        const std::string& file = section == &credentials ? credentials_path : config_path;
        if (c.access_key.empty() || c.secret_key.empty())
          throw StorageError("incomplete S3 credentials in profile '" + profile + "' of " + file +
                             ": it needs both aws_access_key_id and aws_secret_access_key");
        break;
      }
    }
    if (c.access_key.empty())
      throw StorageError(
          "no S3 credentials found: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set and "
          "profile '" +
          profile + "' has none in " + (credentials_path.empty() ? "~/.aws/credentials" : credentials_path) +
          " or " + (config_path.empty() ? "~/.aws/config" : config_path) +
          "; HINT: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set AWS_PROFILE");
  }

  c.region = env("AWS_REGION");
  if (c.region.empty())
    c.region = env("AWS_DEFAULT_REGION");
  if (c.region.empty())
    c.region = value_in(config, "region");
  if (c.region.empty())
    c.region = "us-east-1";
  if (c.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    throw StorageError("invalid AWS region '" + c.region + "'; HINT: a region looks like eu-west-1");

  for (const std::string& candidate :
       {env("AWS_ENDPOINT_URL_S3"), env("AWS_ENDPOINT_URL"), value_in(config, "s3.endpoint_url"),
        value_in(config, "endpoint_url")}) {
    if (!candidate.empty()) {
      c.endpoint = candidate;
      break;
    }
  }
  while (!c.endpoint.empty() && c.endpoint.back() == '/')
    c.endpoint.pop_back();
  if (!c.endpoint.empty()) {
    const std::string l = lower(c.endpoint);
    if ((l.rfind("http://", 0) != 0 && l.rfind("https://", 0) != 0) ||
        c.endpoint.find_first_of("?# ") != std::string::npos)
      throw StorageError("invalid S3 endpoint '" + c.endpoint +
                         "'; HINT: write http://HOST:PORT or https://HOST");
  }
  return c;
}

} // namespace partman::archive::detail
