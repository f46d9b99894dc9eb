#include "partman/worker/http.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "partman/core/errors.hpp"
#include "partman/worker/gzip.hpp"

namespace partman::worker {

namespace {

// Answers 200 "ok" when `why` is empty, else 503 with the reason.
void answer(httplib::Response& res, const std::string& why)
{
  res.status = why.empty() ? 200 : 503;
  res.set_content(why.empty() ? "ok\n" : why + "\n", "text/plain; charset=utf-8");
}

} // namespace

HttpEndpoint::HttpEndpoint(const std::string& listen, HttpHandlers handlers)
    : m_server(std::make_unique<httplib::Server>())
{
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1)
      port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535)
    throw UsageError("listen: '" + listen +
                     "' has no valid port; HINT: write HOST:PORT, e.g. 127.0.0.1:9839");
  m_server->Get("/metrics", [h = handlers](const httplib::Request&, httplib::Response& res) {
    // Sent in pieces as it is uncompressed (httplib compresses them again for a client that asks for gzip,
    // as Prometheus does): a fleet's text is never held whole. Nothing rendered yet: an empty text.
    const std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
    std::string gz = h.metrics();
    if (gz.empty()) {
      res.set_content("", content_type);
      return;
    }
    auto reader = std::make_shared<GunzipReader>(std::move(gz));
    res.set_chunked_content_provider(content_type, [reader](std::size_t, httplib::DataSink& sink) {
      std::string piece;
      try {
        piece = reader->next(64 * 1024);
      } catch (const std::exception& e) {
        spdlog::error("/metrics: {}", e.what());
        return false; // the response ends short: the client sees an error, never a wrong text
      }
      if (piece.empty())
        sink.done();
      return piece.empty() || sink.write(piece.data(), piece.size());
    });
  });
  m_server->Get("/healthz", [h = handlers](const httplib::Request&, httplib::Response& res) {
    answer(res, h.unhealthy());
  });
  m_server->Get("/readyz", [h = handlers](const httplib::Request&, httplib::Response& res) {
    answer(res, h.unready());
  });
  m_port = port == 0 ? m_server->bind_to_any_port(host) : (m_server->bind_to_port(host, port) ? port : -1);
  if (m_port <= 0)
    throw UsageError("listen: cannot listen on '" + listen +
                     "' (address in use, or not an address of this host); HINT: choose another listen "
                     "address, or 'off'");
  m_thread = std::thread([this] { m_server->listen_after_bind(); });
}

HttpEndpoint::~HttpEndpoint()
{
  m_server->stop();
  if (m_thread.joinable())
    m_thread.join();
}

} // namespace partman::worker
