// file:///folder: each key is a file under the folder. A write goes to a hidden temporary file in the
// target's folder and is renamed over the final name once its data and the folder are on disk, so a reader
// sees either the old object or the whole new one. A writer killed before it commits leaves its temporary
// file; the next write into that folder removes it.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "partman/archive/storage_backends.hpp"

namespace partman::archive::detail {

namespace {

// Reads and writes go to the kernel in chunks of this size.
constexpr std::size_t k_chunk = std::size_t(1) << 20;

std::string error_text(int error)
{
  return std::error_code(error, std::generic_category()).message();
}

[[noreturn]] void fail(const std::string& what, const std::string& path, int error)
{
  throw StorageError(what + " " + path + ": " + error_text(error));
}

// Owns a file descriptor.
class Fd
{
public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  // Closes the descriptor, takes `fd` instead, and returns close()'s errno (0 when it succeeded or there
  // was none).
  int reset(int fd = -1)
  {
    int error = 0;
    if (fd_ >= 0 && ::close(fd_) != 0)
      error = errno;
    fd_ = fd;
    return error;
  }

private:
  int fd_;
};

std::string parent_of(const std::string& path)
{
  const auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// fsyncs a folder, so that the entries created, renamed or removed in it survive a crash.
void sync_folder(const std::string& folder)
{
  Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0)
    fail("cannot open folder", folder, errno);
  if (::fsync(fd.get()) != 0)
    fail("cannot fsync folder", folder, errno);
}

// Creates `folder` and its missing parents; appends those it created to `created`, outermost first.
void make_folders(const std::string& folder, std::vector<std::string>& created)
{
  for (std::size_t pos = folder.find('/', 1);; pos = folder.find('/', pos + 1)) {
    const std::string path = folder.substr(0, pos);
    if (::mkdir(path.c_str(), 0777) == 0) {
      created.push_back(path);
    } else if (errno == EEXIST) {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0)
        fail("cannot create folder", path, errno);
      if (!S_ISDIR(st.st_mode))
        fail("cannot create folder", path, ENOTDIR);
    } else {
      fail("cannot create folder", path, errno);
    }
    if (pos == std::string::npos)
      break;
  }
}

// Writes all of `data`, retrying short writes and interruptions; returns 0 or the errno.
int write_all(int fd, const char* data, std::size_t size)
{
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

std::string random_suffix()
{
  std::random_device rd;
  const unsigned long long value = (static_cast<unsigned long long>(rd()) << 32) | rd();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", value);
  return text;
}

// Returns the pid in the name of a temporary file ".KEY.tmp.PID.HEX", or 0 when `name` is not one.
pid_t temp_file_pid(const std::string& name)
{
  const auto dot = name.rfind('.');
  const auto tmp = dot == std::string::npos ? std::string::npos : name.rfind(".tmp.", dot);
  if (name.size() < 2 || name[0] != '.' || tmp == std::string::npos || tmp == 0 || name.size() - dot != 17 ||
      name.find_first_not_of("0123456789abcdef", dot + 1) != std::string::npos)
    return 0;
  const std::string pid = name.substr(tmp + 5, dot - tmp - 5);
  if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return static_cast<pid_t>(std::stol(pid));
}

// Removes the temporary files in `folder` that writers killed before they committed or cleaned up left
// behind. A live writer holds a lock on its file (flock) and its process exists on this host; the files of
// those stay. Best effort: a file that cannot be examined stays too.
void remove_stale_temp_files(const std::string& folder)
{
  DIR* dir = ::opendir(folder.c_str());
  if (!dir)
    return;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    const pid_t pid = temp_file_pid(name);
    if (pid == 0 || ::kill(pid, 0) == 0 || errno == EPERM)
      continue;
    const std::string path = folder + "/" + name;
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() >= 0 && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0)
      ::unlink(path.c_str()); // under the lock, so that its writer, were it alive, would see it gone
  }
  ::closedir(dir);
}

class FileWriter : public ObjectWriter, private WriterState
{
public:
  explicit FileWriter(std::string path) : path_(std::move(path)), folder_(parent_of(path_))
  {
    make_folders(folder_, created_);
    remove_stale_temp_files(folder_);
    // The lock on the temporary file tells other runs that its writer lives. It is held by a second
    // descriptor of the same open file, so that it outlasts the close before the rename.
    for (;;) {
      temp_ = folder_ + "/." + path_.substr(folder_.size() + 1) + ".tmp." + std::to_string(::getpid()) + "." +
              random_suffix();
      fd_.reset(::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
      if (fd_.get() < 0)
        fail("cannot create file", temp_, errno);
      if (::flock(fd_.get(), LOCK_EX) != 0)
        fail("cannot lock file", temp_, errno);
      struct stat st;
      if (::fstat(fd_.get(), &st) != 0)
        fail("cannot stat file", temp_, errno);
      if (st.st_nlink > 0)
        break;
      // Another host's cleaner took it for stale between its creation and the lock: make another.
    }
    lock_.reset(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
    buffer_.reserve(k_chunk);
  }

  ~FileWriter() override
  {
    fd_.reset();
    if (!committed_)
      ::unlink(temp_.c_str());
    lock_.reset();
  }

  void write(const char* data, std::size_t size) override
  {
    check_usable(path_);
    if (buffer_.size() + size < k_chunk) {
      buffer_.insert(buffer_.end(), data, data + size);
      return;
    }
    guarded([&] {
      flush();
      if (size >= k_chunk)
        write_or_fail(data, size);
      else
        buffer_.insert(buffer_.end(), data, data + size);
    });
  }

  void commit() override
  {
    check_usable(path_);
    guarded([&] {
      flush();
      if (::fsync(fd_.get()) != 0)
        fail("cannot fsync file", temp_, errno);
      if (const int error = fd_.reset())
        fail("cannot close file", temp_, error);
      if (::rename(temp_.c_str(), path_.c_str()) != 0)
        fail("cannot rename " + temp_ + " to", path_, errno);
      committed_ = true;
      lock_.reset();
      sync_folder(folder_);
      // Folders created for this object must be recorded in their own parents too.
      for (auto it = created_.rbegin(); it != created_.rend(); ++it)
        sync_folder(parent_of(*it));
    });
  }

private:
  void write_or_fail(const char* data, std::size_t size)
  {
    if (const int error = write_all(fd_.get(), data, size))
      fail("cannot write file", temp_, error);
  }

  void flush()
  {
    write_or_fail(buffer_.data(), buffer_.size());
    buffer_.clear();
  }

  std::string path_;
  std::string folder_;
  std::string temp_;
  std::vector<std::string> created_;
  Fd fd_;
  Fd lock_; // the same open file as fd_ while it is written, holding its flock until the rename
  std::vector<char> buffer_;
};

class FileStorage : public Storage
{
public:
  explicit FileStorage(std::string folder) : folder_(std::move(folder)) {}

  std::unique_ptr<ObjectWriter> open_write(const std::string& key) override
  {
    return std::make_unique<FileWriter>(path_of(key));
  }

  void read(const std::string& key, const ChunkSink& sink) override
  {
    const std::string path = path_of(key);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
      fail(errno == ENOENT ? "no such object:" : "cannot open file", path, errno);
    std::vector<char> buffer(k_chunk);
    while (true) {
      const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR)
          continue;
        fail("cannot read file", path, errno);
      }
      if (n == 0)
        break;
      sink(buffer.data(), static_cast<std::size_t>(n));
    }
  }

  void put(const std::string& key, const std::string& content) override
  {
    auto writer = open_write(key);
    writer->write(content.data(), content.size());
    writer->commit();
  }

  std::string get(const std::string& key) override
  {
    std::string out;
    read(key, [&](const char* data, std::size_t size) { out.append(data, size); });
    return out;
  }

  std::optional<std::uint64_t> size(const std::string& key) override
  {
    const std::string path = path_of(key);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR)
        return std::nullopt;
      fail("cannot stat file", path, errno);
    }
    if (!S_ISREG(st.st_mode))
      throw StorageError("not a regular file: " + path);
    return static_cast<std::uint64_t>(st.st_size);
  }

  void remove(const std::string& key) override
  {
    const std::string path = path_of(key);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR)
        return;
      fail("cannot remove file", path, errno);
    }
    sync_folder(parent_of(path));
  }

  std::string uri(const std::string& key) const override { return "file://" + folder_ + "/" + key; }

private:
  std::string path_of(const std::string& key) const
  {
    check_key(key);
    return folder_ + "/" + key;
  }

  std::string folder_;
};

} // namespace

std::unique_ptr<Storage> open_file_storage(const StorageUri& uri)
{
  return std::make_unique<FileStorage>(uri.prefix);
}

} // namespace partman::archive::detail
