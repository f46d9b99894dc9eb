// Fuzz target: an archive's manifest as restore reads it back from storage (where anyone with access to the
// bucket or folder can change it). Any text must give columns or an ArchiveError (exit 5 with a message
// naming the manifest), never another exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "partman/archive/errors.hpp"
#include "partman/archive/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  try {
    partman::archive::parse_manifest(std::string(reinterpret_cast<const char*>(data), size),
                                     "file:///fuzz/a.manifest.json");
  } catch (const partman::archive::ArchiveError&) {
  }
  return 0;
}
