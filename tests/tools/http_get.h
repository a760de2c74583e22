// A minimal HTTP/1.0 GET for tests that scrape /metrics, /healthz and /readyz.
#ifndef NEWSD_TESTS_TOOLS_HTTP_GET_H_
#define NEWSD_TESTS_TOOLS_HTTP_GET_H_

#include <string>

namespace newsd {

// GET http://127.0.0.1:port/path; the raw response, status line and headers
// included ("" if the connection failed).
std::string HttpGet(int port, const std::string& path);

}  // namespace newsd

#endif  // NEWSD_TESTS_TOOLS_HTTP_GET_H_
