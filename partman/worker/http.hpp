// The worker's HTTP endpoint: /metrics (Prometheus), /healthz (the scheduler is alive), /readyz (every
// database has had its first turn).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace partman::worker {

// What the endpoint asks the worker.
struct HttpHandlers
{
  std::function<std::string()> metrics;   // the exposition text, gzip-compressed
  std::function<std::string()> unhealthy; // why the worker is not healthy ("" when it is)
  std::function<std::string()> unready;   // why it is not ready ("" when it is)
};

// Serves the endpoints on its own thread until destroyed.
class HttpEndpoint
{
public:
  // Binds `listen` (HOST:PORT; a port of 0 takes a free one); throws UsageError when it cannot.
  HttpEndpoint(const std::string& listen, HttpHandlers handlers);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;
  // Returns the port it listens on.
  int port() const { return m_port; }

private:
  std::unique_ptr<httplib::Server> m_server;
  std::thread m_thread;
  int m_port = 0;
};

} // namespace partman::worker
