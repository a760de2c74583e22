// A minimal HTTP/1.0 client for tests that scrape /metrics, /healthz and /readyz.
#ifndef NEWSD_TESTS_TOOLS_HTTP_GET_H_
#define NEWSD_TESTS_TOOLS_HTTP_GET_H_

#include <string>

namespace newsd {

// A TCP connection to 127.0.0.1:port (file descriptor), -1 if it failed.
int ConnectLoopback(int port);

// GET http://127.0.0.1:port/path; the raw response, status line and headers
// included ("" if the connection failed).
std::string HttpGet(int port, const std::string& path);

// `method` `path` HTTP/1.0 to 127.0.0.1:port (no body); the raw response, "" if the
// connection failed. Gives up reading after `timeout_s` seconds (what was read so far).
std::string HttpRequest(int port, const std::string& method, const std::string& path,
                        int timeout_s = 30);

}  // namespace newsd

#endif  // NEWSD_TESTS_TOOLS_HTTP_GET_H_
