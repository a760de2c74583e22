// newsd-audit: checks a run for lost and duplicated outputs.
//
//   newsd-audit BROKERS INPUT_TOPIC OUTPUT_TOPIC DEAD_LETTER_TOPIC
//
// Prints "inputs=N events=E dead_letters=D lost=L duplicated=U skipped_tombstones=T"
// (T: null-value inputs without output, skipped as not articles) and exits 0 when
// L = 0 and U = 0, 1 when outputs are lost or duplicated, 2 on usage or read errors.
#include <iostream>

#include "tests/tools/audit.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: newsd-audit BROKERS INPUT_TOPIC OUTPUT_TOPIC DEAD_LETTER_TOPIC\n";
    return 2;
  }
  absl::StatusOr<newsd::AuditReport> report = newsd::Audit(argv[1], argv[2], argv[3], argv[4]);
  if (!report.ok()) {
    std::cerr << "newsd-audit: " << report.status() << "\n";
    return 2;
  }
  std::cout << report->ToString() << "\n";
  if (report->unknown) std::cout << "unknown_positions=" << report->unknown << "\n";
  return report->lost == 0 && report->duplicated == 0 ? 0 : 1;
}
