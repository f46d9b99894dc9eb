// The worker keeps its metrics text gzip-compressed (a fleet's text runs to megabytes and compresses about
// twentyfold): written piece by piece as it is rendered, read back piece by piece as it is served.
#pragma once

#include <string>
#include <string_view>
#include <zlib.h>

namespace partman::worker {

// Compresses text into the gzip format, piece by piece.
class GzipWriter
{
public:
  GzipWriter();
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;
  // Compresses `piece`.
  void write(std::string_view piece);
  // Ends the stream and returns it; the writer is spent.
  std::string finish();

private:
  // Runs deflate over what is pending with `flush`, appending to m_out.
  void deflate_pending(int flush);

  z_stream m_z{};
  std::string m_out;
};

// Reads gzip data back as text, piece by piece.
class GunzipReader
{
public:
  // Reads `gz` (whole gzip data).
  explicit GunzipReader(std::string gz);
  ~GunzipReader();
  GunzipReader(const GunzipReader&) = delete;
  GunzipReader& operator=(const GunzipReader&) = delete;
  // Returns up to `max` bytes of text; "" at the end. Throws std::runtime_error on corrupt data.
  std::string next(std::size_t max);

private:
  std::string m_gz;
  z_stream m_z{};
  bool m_end = false;
};

} // namespace partman::worker
