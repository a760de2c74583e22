// Scores the times stage on the GUM Wikinews gold dates
// (../shared/corpus/gum_wikinews/gold.jsonl, 241 <date>/<time> spans with ISO 8601
// when / from-to values; CC BY 4.0 annotations over CC BY 2.5 text).
//
//   ./build/bench/eval_times [--errors]
//
// Predictions: the DATE and TIME expressions of the times stage (DURATION, SET and
// the *_REF values are not scored: the gold has absolute dates only). A
// prediction matches a gold span when they overlap (one-to-one). Its value is
// right when
//   gold `when`:     equal to the value cut at "T" (a part of day or clock time
//                    refines the day); a gold month or day without year ("--10")
//                    is matched by the month/day of any year;
//   gold `from/to`:  the value's calendar extent equals [from, to] ("199" is
//                    1990-01-01..1999-12-31);
// gold spans with only notBefore/notAfter count for spans, not values.
// Prints span P/R/F1, value P/R/F1 (a true positive is a matched span with the
// right value) and the value accuracy on matched spans.
//
// The anchor is found by the stage itself: Wikinews articles open with a date
// line paragraph ("Tuesday, September 1, 2015"), which the stage takes as the
// dateline date; nothing else is given.
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "bench/eval_quotes_times_common.h"

namespace newsd::eval {
namespace {

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// The [first, last] days of a TIMEX3 date value (meteorological seasons, ISO
// weeks), or {"", ""}.
std::pair<std::string, std::string> Extent(const std::string& v) {
  auto digits = [&](size_t n) {
    return v.size() == n && v.find_first_not_of("0123456789") == std::string::npos;
  };
  if (v.size() >= 8 && v[4] == '-' && v[5] == 'W') {  // 2017-W28[-WE]
    absl::CivilDay monday(std::stoi(v.substr(0, 4)), 1, 4);  // in ISO week 1
    monday -= static_cast<int>(absl::GetWeekday(monday));
    monday += 7 * (std::stoi(v.substr(6, 2)) - 1);
    const bool weekend = v.size() > 8;
    return {Day(weekend ? monday + 5 : monday), Day(monday + 6)};
  }
  if (v.size() == 7 && v[4] == '-' && v.find_first_of("SFW", 5) == 5) {  // seasons
    const int y = std::stoi(v.substr(0, 4));
    const std::string s = v.substr(5);
    if (s == "SP") return {Day(absl::CivilDay(y, 3, 1)), Day(absl::CivilDay(y, 5, 31))};
    if (s == "SU") return {Day(absl::CivilDay(y, 6, 1)), Day(absl::CivilDay(y, 8, 31))};
    if (s == "FA") return {Day(absl::CivilDay(y, 9, 1)), Day(absl::CivilDay(y, 11, 30))};
    return {Day(absl::CivilDay(y, 12, 1)), Day(absl::CivilDay(y + 1, 3, 1) - 1)};
  }
  if (digits(4)) return {v + "-01-01", v + "-12-31"};
  if (digits(3)) return {v + "0-01-01", v + "9-12-31"};
  if (digits(2)) return {v + "00-01-01", v + "99-12-31"};
  if (v.size() == 7 && v[4] == '-' && v.find('X') == std::string::npos &&
      v.find('Q') == std::string::npos && v.find('W') == std::string::npos &&
      v.find_first_of("SUPFI") == std::string::npos) {
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int month = std::stoi(v.substr(5, 2));
    int days = month >= 1 && month <= 12 ? kDays[month - 1] : 31;
    if (month == 2 && std::stoi(v.substr(0, 4)) % 4 != 0) days = 28;
    return {v + "-01", absl::StrFormat("%s-%02d", v, days)};
  }
  if (v.size() >= 10) return {v.substr(0, 10), v.substr(0, 10)};
  return {"", ""};
}

bool ValueRight(const nlohmann::json& gold, const std::string& value) {
  const std::string day = value.substr(0, value.find('T'));
  if (gold.contains("when")) {
    std::string when = gold["when"];
    if (when.size() == 8 && when[2] == ':') {  // a clock time without its day
      const size_t t = value.find('T');
      if (t == std::string::npos) return false;
      std::string clock = value.substr(t + 1, 5);
      if (clock == "24:00") clock = "00:00";
      return clock == when.substr(0, 5);
    }
    if (when.size() > 5 && when[0] == '-' && when[1] != '-') when = when.substr(1);
    if (when.rfind("--", 0) == 0) return day.size() >= 4 && day.substr(4) == when.substr(1);
    return day == when;
  }
  if (gold.contains("from") && gold.contains("to")) {
    return Extent(day) == std::make_pair(std::string(gold["from"]), std::string(gold["to"]));
  }
  return false;
}

}  // namespace
}  // namespace newsd::eval

int main(int argc, char** argv) {
  using namespace newsd;        // NOLINT
  using namespace newsd::eval;  // NOLINT
  bool errors = false;
  for (int i = 1; i < argc; ++i) errors |= std::strcmp(argv[i], "--errors") == 0;
  const StagePtr segment = MakeStage("segment");
  const StagePtr times = MakeStage("times");
  Counts spans, values;
  int gold_total = 0, gold_valued = 0, matched_valued = 0, matched_right = 0;
  for (const nlohmann::json& g : ReadJsonl(std::string(NEWSD_CORPUS_DIR) +
                                           "/gum_wikinews/gold.jsonl")) {
    const std::string text = g["text"];
    const uint32_t body_offset = g["body_offset"];
    const size_t body_byte = stages::CodePointToByteOffset(text, body_offset);
    const size_t headline_end =
        body_offset >= 2 ? stages::CodePointToByteOffset(text, body_offset - 2) : 0;
    v1::Article a = MakeArticle(text.substr(0, headline_end), text.substr(body_byte), "en");
    StageContext ctx;
    if (!segment->Process(a, ctx).ok() || !times->Process(a, ctx).ok()) continue;
    std::vector<const v1::TimeExpression*> predicted;
    for (const v1::TimeExpression& t : a.times()) {
      if ((t.type() == "DATE" || t.type() == "TIME") &&
          t.value().find("_REF") == std::string::npos) {
        predicted.push_back(&t);
      }
    }
    std::vector<bool> used(predicted.size(), false);
    int tp_here = 0, value_tp_here = 0;
    for (const nlohmann::json& d : g["dates"]) {
      ++gold_total;
      const bool valued = d.contains("when") || (d.contains("from") && d.contains("to"));
      gold_valued += valued;
      const uint32_t b = d["start"], e = d["end"];
      int match = -1;
      for (size_t p = 0; p < predicted.size() && match < 0; ++p) {
        if (!used[p] && predicted[p]->begin() < e && b < predicted[p]->end()) {
          match = static_cast<int>(p);
          used[p] = true;
        }
      }
      if (match < 0) {
        ++spans.fn;
        if (valued) ++values.fn;
        if (errors) std::printf("  missed %s '%s'\n", std::string(g["id"]).c_str(),
                                std::string(d["text"]).c_str());
        continue;
      }
      ++tp_here;
      if (!valued) continue;
      ++matched_valued;
      const bool right = ValueRight(d, predicted[match]->value());
      matched_right += right;
      if (right) {
        ++value_tp_here;
      } else {
        ++values.fn;
        if (errors) {
          std::printf("  value  %s '%s' gold=%s got=%s\n", std::string(g["id"]).c_str(),
                      std::string(d["text"]).c_str(), d.dump().c_str(),
                      predicted[match]->value().c_str());
        }
      }
    }
    spans.tp += tp_here;
    spans.fp += static_cast<int>(predicted.size()) - tp_here;
    values.tp += value_tp_here;
    values.fp += static_cast<int>(predicted.size()) - value_tp_here;
    if (errors) {
      for (size_t p = 0; p < predicted.size(); ++p) {
        if (!used[p]) {
          std::printf("  extra  %s '%s' %s\n", std::string(g["id"]).c_str(),
                      predicted[p]->text().c_str(), predicted[p]->value().c_str());
        }
      }
    }
  }
  std::printf("GUM Wikinews dates: %d gold spans, %d with a when or from/to value\n",
              gold_total, gold_valued);
  PrintPrf("  date spans (overlap)", spans);
  PrintPrf("  date values (span and value right)", values);
  std::printf("  value accuracy on matched spans: %d/%d = %.3f\n", matched_right, matched_valued,
              matched_valued ? static_cast<double>(matched_right) / matched_valued : 0);
  return 0;
}
