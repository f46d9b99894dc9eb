#include "partman/archive/codec.hpp"

#include <cstring>
#include <openssl/evp.h>
#include <stdexcept>
#include <vector>
#include <zstd.h>

namespace partman::archive {

struct Sha256::Impl
{
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>())
{
  if (!m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr) != 1)
    throw CodecError("cannot start a SHA-256 digest (OpenSSL)");
}

Sha256::~Sha256() = default;

void Sha256::update(const char* data, std::size_t size)
{
  EVP_DigestUpdate(m_impl->ctx, data, size);
}

std::string Sha256::hex()
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_impl->ctx, digest, &length);
  static const char* const digits = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(digits[digest[i] >> 4]);
    out.push_back(digits[digest[i] & 15]);
  }
  return out;
}

namespace {

void check_zstd(std::size_t code, const char* what)
{
  if (ZSTD_isError(code))
    throw CodecError(std::string(what) + ": " + ZSTD_getErrorName(code));
}

} // namespace

struct Compressor::Impl
{
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ByteSink sink;
  std::vector<char> out = std::vector<char>(ZSTD_CStreamOutSize());
  ~Impl() { ZSTD_freeCCtx(ctx); }

  // Runs the compressor over `in` with `mode` until it has taken all input (and, when ending, flushed).
  void run(ZSTD_inBuffer in, ZSTD_EndDirective mode)
  {
    for (;;) {
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      const std::size_t left = ZSTD_compressStream2(ctx, &o, &in, mode);
      check_zstd(left, "zstd compression failed");
      if (o.pos > 0)
        sink(out.data(), o.pos);
      if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
        return;
    }
  }
};

Compressor::Compressor(int level, ByteSink sink) : m_impl(std::make_unique<Impl>())
{
  m_impl->sink = std::move(sink);
  check_zstd(ZSTD_CCtx_setParameter(m_impl->ctx, ZSTD_c_compressionLevel, level), "zstd level");
  check_zstd(ZSTD_CCtx_setParameter(m_impl->ctx, ZSTD_c_checksumFlag, 1), "zstd checksum");
}

Compressor::~Compressor() = default;

void Compressor::write(const char* data, std::size_t size)
{
  m_impl->run({data, size, 0}, ZSTD_e_continue);
}

void Compressor::finish()
{
  m_impl->run({nullptr, 0, 0}, ZSTD_e_end);
}

struct Decompressor::Impl
{
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ByteSink sink;
  std::vector<char> out = std::vector<char>(ZSTD_DStreamOutSize());
  std::size_t last = 1; // what ZSTD_decompressStream last returned: 0 at the end of a frame
  ~Impl() { ZSTD_freeDCtx(ctx); }
};

Decompressor::Decompressor(ByteSink sink) : m_impl(std::make_unique<Impl>())
{
  m_impl->sink = std::move(sink);
}

Decompressor::~Decompressor() = default;

void Decompressor::write(const char* data, std::size_t size)
{
  ZSTD_inBuffer in{data, size, 0};
  // A call that fills the output may leave decoded bytes inside the decoder: call again until one does not.
  bool output_full = false;
  while (in.pos < in.size || output_full) {
    ZSTD_outBuffer o{m_impl->out.data(), m_impl->out.size(), 0};
    m_impl->last = ZSTD_decompressStream(m_impl->ctx, &o, &in);
    check_zstd(m_impl->last, "the archive is not valid zstd data");
    if (o.pos > 0)
      m_impl->sink(m_impl->out.data(), o.pos);
    output_full = o.pos == o.size;
  }
}

void Decompressor::finish()
{
  if (m_impl->last != 0)
    throw CodecError("the archive ends inside a zstd frame (truncated)");
}

void LineSplitter::write(const char* data, std::size_t size)
{
  const char* const end = data + size;
  while (data < end) {
    const char* nl = static_cast<const char*>(std::memchr(data, '\n', static_cast<std::size_t>(end - data)));
    if (!nl) {
      m_partial.append(data, end);
      return;
    }
    ++m_lines;
    if (m_partial.empty()) {
      m_line(std::string_view(data, static_cast<std::size_t>(nl - data)));
    } else {
      m_partial.append(data, nl);
      m_line(m_partial);
      m_partial.clear();
    }
    data = nl + 1;
  }
}

} // namespace partman::archive
