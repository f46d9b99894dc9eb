#include "partman/worker/gzip.hpp"

#include <stdexcept>

namespace partman::worker {

namespace {

constexpr int k_gzip_window = 15 + 16; // zlib's largest window, with a gzip header and trailer

} // namespace

GzipWriter::GzipWriter()
{
  if (deflateInit2(&m_z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, k_gzip_window, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("gzip: cannot start a stream (out of memory)");
}

GzipWriter::~GzipWriter()
{
  deflateEnd(&m_z);
}

void GzipWriter::deflate_pending(int flush)
{
  char buf[16384];
  do {
    m_z.next_out = reinterpret_cast<Bytef*>(buf);
    m_z.avail_out = sizeof buf;
    const int rc = deflate(&m_z, flush);
    if (rc == Z_STREAM_ERROR)
      throw std::runtime_error("gzip: the stream is in a bad state");
    m_out.append(buf, sizeof buf - m_z.avail_out);
  } while (m_z.avail_out == 0);
}

void GzipWriter::write(std::string_view piece)
{
  m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
  m_z.avail_in = static_cast<uInt>(piece.size());
  deflate_pending(Z_NO_FLUSH);
}

std::string GzipWriter::finish()
{
  m_z.next_in = nullptr;
  m_z.avail_in = 0;
  deflate_pending(Z_FINISH);
  m_out.shrink_to_fit();
  return std::move(m_out);
}

GunzipReader::GunzipReader(std::string gz) : m_gz(std::move(gz))
{
  if (inflateInit2(&m_z, k_gzip_window) != Z_OK)
    throw std::runtime_error("gzip: cannot start a stream (out of memory)");
  m_z.next_in = reinterpret_cast<Bytef*>(m_gz.data());
  m_z.avail_in = static_cast<uInt>(m_gz.size());
}

GunzipReader::~GunzipReader()
{
  inflateEnd(&m_z);
}

std::string GunzipReader::next(std::size_t max)
{
  std::string out(max, '\0');
  std::size_t used = 0;
  while (!m_end && used < max) {
    m_z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    m_z.avail_out = static_cast<uInt>(max - used);
    const int rc = inflate(&m_z, Z_NO_FLUSH);
    used = max - m_z.avail_out;
    if (rc == Z_STREAM_END)
      m_end = true;
    else if (rc != Z_OK)
      throw std::runtime_error("gzip: corrupt data");
  }
  out.resize(used);
  return out;
}

} // namespace partman::worker
