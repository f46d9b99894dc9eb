// Archive storage in a local folder: system errors, full and read-only file systems, killed writers.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "partman/archive/storage.hpp"
#include "storage_fixtures.hpp"

using namespace partman::archive;
using namespace partman::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("file: system errors name the path", "[storage][file]")
{
  const std::string folder = make_temp_folder();
  {
    std::ofstream(folder + "/plain") << "x";
    auto s = open_storage("file://" + folder + "/plain/archives");
    const std::string message = storage_error_of([&] { s->open_write("k"); });
    CHECK_THAT(message, Contains(folder + "/plain") && Contains("Not a directory"));
  }
  fs::remove_all(folder);
}

TEST_CASE("file: out of space and read-only file systems are storage errors", "[storage][file]")
{
  const std::string folder = make_temp_folder();
  if (geteuid() != 0 || mount("tmpfs", folder.c_str(), "tmpfs", 0, "size=1m") != 0) {
    WARN("cannot mount a small tmpfs (needs root): the out-of-space case did not run");
    fs::remove_all(folder);
    return;
  }
  {
    auto s = open_storage("file://" + folder + "/archives");
    // A large object fills the file system while it is written.
    const std::string data = random_bytes(3 << 20, 9);
    {
      auto w = s->open_write("big");
      const std::string message = storage_error_of([&] {
        write_in_pieces(*w, data, 64 * 1024);
        w->commit();
      });
      CHECK_THAT(message, Contains("No space left on device") && Contains(folder + "/archives/.big.tmp."));
      CHECK_THROWS_AS(w->commit(), StorageError);
    }
    CHECK(!s->size("big"));
    CHECK(fs::is_empty(folder + "/archives")); // the temporary file is gone

    // A small object on a full file system fails when it is committed, and the old one stays.
    s->put("small", "old");
    std::ofstream(folder + "/filler") << random_bytes(1 << 20, 1);
    const std::string message = storage_error_of([&] { s->put("small", random_bytes(100 * 1024, 4)); });
    CHECK_THAT(message, Contains("No space left on device"));
    CHECK(s->get("small") == "old");
    CHECK(std::distance(fs::directory_iterator(folder + "/archives"), fs::directory_iterator()) == 1);
  }
  umount2(folder.c_str(), MNT_DETACH);

  REQUIRE(mount("tmpfs", folder.c_str(), "tmpfs", MS_RDONLY, "size=1m") == 0);
  {
    auto s = open_storage("file://" + folder);
    CHECK_THAT(storage_error_of([&] { s->put("k", "x"); }),
               Contains("Read-only file system") && Contains(folder));
  }
  umount2(folder.c_str(), MNT_DETACH);
  fs::remove_all(folder);
}

TEST_CASE("file: a writer killed before its commit leaves a temporary file that the next write removes",
          "[storage][file]")
{
  const std::string folder = make_temp_folder();
  auto s = open_storage("file://" + folder);
  const auto temp_files = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder + "/dir")) {
      if (e.path().filename().string().find(".tmp.") != std::string::npos)
        names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  // A child process starts a write and is killed half-way, as a killed archive run is.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto w = s->open_write("dir/obj.copy.zst");
    const std::string data = random_bytes(3 << 20, 5);
    w->write(data.data(), data.size());
    raise(SIGKILL);
    _exit(1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  const auto left = temp_files();
  REQUIRE(left.size() == 1);
  CHECK_THAT(left[0], Contains(".obj.copy.zst.tmp." + std::to_string(child) + "."));

  // Files that are not temporary files of a writer, a temporary file whose writer lives (its process, or
  // its lock held: a writer on another host), and the temporary file of a live writer of this process stay.
  const pid_t dead = [] {
    const pid_t p = fork();
    if (p == 0)
      _exit(0);
    waitpid(p, nullptr, 0);
    return p;
  }();
  const std::string locked = ".other.tmp." + std::to_string(dead) + ".0123456789abcdef";
  const std::string unlocked = ".third.tmp." + std::to_string(dead) + ".fedcba9876543210";
  for (const auto& name : {locked, unlocked, std::string(".notes.tmp.x"), std::string("keep.tmp.1.00")})
    std::ofstream(folder + "/dir/" + name) << "x";
  const int lock_fd = open((folder + "/dir/" + locked).c_str(), O_RDONLY);
  REQUIRE(flock(lock_fd, LOCK_EX) == 0);
  auto live = s->open_write("dir/live");
  live->write("abc", 3);

  s->put("dir/obj.manifest.json", "{}");
  const auto after = temp_files();
  CHECK(std::find(after.begin(), after.end(), left[0]) == after.end()); // the killed writer's file is gone
  CHECK(std::find(after.begin(), after.end(), unlocked) == after.end());
  CHECK(std::find(after.begin(), after.end(), locked) != after.end());
  CHECK(fs::exists(folder + "/dir/.notes.tmp.x"));
  CHECK(fs::exists(folder + "/dir/keep.tmp.1.00"));
  CHECK(std::count_if(after.begin(), after.end(),
                      [](const std::string& n) { return n.rfind(".live.tmp.", 0) == 0; }) == 1);
  close(lock_fd);
  live->commit();
  CHECK(s->get("dir/live") == "abc");
  CHECK(s->get("dir/obj.manifest.json") == "{}");
  fs::remove_all(folder);
}
