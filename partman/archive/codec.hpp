// The archive's byte streams: COPY text compressed with zstd, hashed with SHA-256 as stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "partman/archive/errors.hpp"

namespace partman::archive {

// Data that does not decode (not zstd, or cut inside a frame), or a codec that cannot start: the copy cannot
// be read as an archive.
class CodecError : public ArchiveError
{
public:
  using ArchiveError::ArchiveError;
};

// SHA-256, fed in pieces.
class Sha256
{
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const char* data, std::size_t size);
  // Returns the digest as 64 lowercase hex digits; the hasher is spent afterwards.
  std::string hex();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Receives output bytes in order.
using ByteSink = std::function<void(const char* data, std::size_t size)>;

// Compresses a stream with zstd into `sink`, in frames any zstd tool reads (`zstd -dc`).
class Compressor
{
public:
  Compressor(int level, ByteSink sink);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
  void write(const char* data, std::size_t size);
  // Ends the frame and flushes everything to the sink.
  void finish();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Decompresses a zstd stream into `sink`; throws CodecError on corrupt input, and from finish() when
// the input ends inside a frame.
class Decompressor
{
public:
  explicit Decompressor(ByteSink sink);
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
  void write(const char* data, std::size_t size);
  void finish();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Splits a byte stream into lines (without the '\n') for `line`; counts them.
class LineSplitter
{
public:
  explicit LineSplitter(std::function<void(std::string_view)> line) : m_line(std::move(line)) {}
  void write(const char* data, std::size_t size);
  // Returns false when the stream ended inside a line (a truncated archive).
  bool finish() const { return m_partial.empty(); }
  std::uint64_t lines() const { return m_lines; }

private:
  std::function<void(std::string_view)> m_line;
  std::string m_partial;
  std::uint64_t m_lines = 0;
};

} // namespace partman::archive
