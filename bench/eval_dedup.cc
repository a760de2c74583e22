// Story-stage quality and speed on Reuters-21578: the 21 reut2-*.sgm.gz files
// (NEWID order) go through one chain "decode, story"; each story's items form a
// cluster, and the silver pairs of reuters21578/duplicate_pairs.silver.tsv are
// scored against it.
//
//   ./build/bench/eval_dedup [--threshold 0.8] [--version_threshold 0.45]
//       [--window 72h] [--retention 720h] [--shingle_words 5] [--sample 30]
//       [--seed 1] [--misses]
//
// Prints recall per silver kind (a pair counts when both items got the same
// story_id), precision of the direct links (duplicate_of / supersedes of items
// that are not guid versions: the link's pair is in the silver file, of any kind),
// the story stage's throughput (its own time per article, from the event's stage
// timings, and wall time of the whole run), and `--sample N` random predicted links
// with headlines and body openings for checking by hand. The processing clock
// (StageContext::now) follows the items' <DATE>, as a live feed would.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "pipeline/chain.h"
#include "stages/decode/reuters_sgml.h"
#include "tests/stages/testing/corpus.h"

namespace {

struct Item {
  std::string story_id;
  std::string link;  // duplicate_of or supersedes (article id), "" if none
  std::string headline;
  std::string body;
  std::vector<std::string> flags;
};

int NewIdOf(absl::string_view article_id) {  // "reuters21578-42" → 42
  int id = 0;
  absl::ConsumePrefix(&article_id, "reuters21578-");
  return absl::SimpleAtoi(article_id, &id) ? id : -1;
}

std::string Opening(const std::string& s, size_t n) {
  std::string out = s.substr(0, n);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opts = {{"threshold", "0.8"},
                                             {"version_threshold", "0.45"},
                                             {"window", "72h"},
                                             {"retention", "720h"},
                                             {"shingle_words", "5"}};
  int sample = 30;
  int seed = 1;
  bool misses = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--misses") {
      misses = true;
    } else if (absl::StartsWith(a, "--") && i + 1 < argc) {
      std::string key = a.substr(2);
      std::string value = argv[++i];
      if (key == "sample") {
        sample = std::stoi(value);
      } else if (key == "seed") {
        seed = std::stoi(value);
      } else {
        opts[key] = value;
      }
    } else {
      std::cerr << "usage: eval_dedup [--threshold X] [--version_threshold X] [--window D]"
                   " [--retention D] [--shingle_words N] [--sample N] [--seed N] [--misses]\n";
      return 2;
    }
  }

  google::protobuf::RepeatedPtrField<newsd::v1::StageConfig> stages;
  stages.Add()->set_name("decode");
  newsd::v1::StageConfig* story = stages.Add();
  story->set_name("story");
  for (const auto& [k, v] : opts) (*story->mutable_options())[k] = v;
  auto chain = newsd::Chain::Create(stages);
  if (!chain.ok()) {
    std::cerr << chain.status() << "\n";
    return 1;
  }

  std::map<int, Item> items;
  double story_seconds = 0;
  size_t processed = 0;
  absl::Time clock = absl::UnixEpoch();
  const absl::Time wall_start = absl::Now();
  for (int f = 0; f <= 20; ++f) {
    std::string path = newsd::testing::CorpusPath(
        absl::StrFormat("reuters21578/original/reut2-%03d.sgm.gz", f));
    absl::StatusOr<std::string> sgm = newsd::testing::ReadFile(path);
    if (!sgm.ok()) {
      std::cerr << path << ": " << sgm.status() << "\n";
      return 1;
    }
    for (std::string& record : newsd::testing::SplitReutersRecords(*sgm)) {
      size_t d = record.find("<DATE>");
      if (d != std::string::npos) {
        if (auto t = newsd::stages::ParseReutersDate(record.substr(d + 6, 30))) clock = *t;
      }
      newsd::RawMessage message;
      message.key = path;
      message.value = std::move(record);
      newsd::ChainResult result = (*chain)->Run(message, clock);
      if (result.failure) continue;
      const newsd::v1::Article& article = result.event.article();
      for (const auto& timing : result.event.stages()) {
        if (timing.stage() == "story") {
          story_seconds += timing.duration().seconds() + timing.duration().nanos() * 1e-9;
        }
      }
      ++processed;
      int newid = NewIdOf(article.id());
      if (newid < 0) continue;
      Item& item = items[newid];
      item.story_id = article.story().story_id();
      item.link = !article.story().duplicate_of().empty() ? article.story().duplicate_of()
                                                          : article.story().supersedes();
      const std::string& text = article.text();
      size_t split = text.find("\n\n");
      item.headline = text.substr(0, split);
      item.body = split == std::string::npos ? "" : text.substr(split + 2);
      item.flags.assign(article.flags().begin(), article.flags().end());
    }
  }
  const double wall = absl::ToDoubleSeconds(absl::Now() - wall_start);

  // Silver pairs.
  std::ifstream tsv(newsd::testing::CorpusPath("reuters21578/duplicate_pairs.silver.tsv"));
  std::string line;
  std::getline(tsv, line);
  std::map<std::string, std::pair<int, int>> by_kind;  // kind → (found, total)
  std::set<std::pair<int, int>> silver;
  std::vector<std::string> missed;
  while (std::getline(tsv, line)) {
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 4) continue;
    int a = std::stoi(cols[0]), b = std::stoi(cols[1]);
    silver.emplace(std::min(a, b), std::max(a, b));
    auto ia = items.find(a), ib = items.find(b);
    bool found = ia != items.end() && ib != items.end() &&
                 ia->second.story_id == ib->second.story_id;
    auto& [hit, total] = by_kind[cols[2]];
    hit += found;
    ++total;
    if (!found && (cols[2] == "exact_duplicate" || cols[2] == "correction")) {
      missed.push_back(absl::StrCat(cols[2], " ", a, " ", b, " j=", cols[3], "  ",
                                    cols.size() > 5 ? cols[5] : ""));
    }
  }

  // Direct links (content-based: Reuters guids are all distinct).
  std::vector<std::pair<int, int>> links;
  for (const auto& [newid, item] : items) {
    int target = NewIdOf(item.link);
    if (target > 0) links.emplace_back(std::min(newid, target), std::max(newid, target));
  }
  size_t links_in_silver = 0;
  for (const auto& l : links) links_in_silver += silver.count(l);
  std::map<std::string, int> flag_counts;
  for (const auto& [newid, item] : items) {
    for (const std::string& fl : item.flags) ++flag_counts[fl];
  }

  std::cout << absl::StrFormat(
      "eval_dedup: %d Reuters-21578 items, threshold %s, version_threshold %s, window %s, "
      "retention %s, shingle_words %s\n",
      processed, opts["threshold"], opts["version_threshold"], opts["window"],
      opts["retention"], opts["shingle_words"]);
  int reliable_hit = 0, reliable_total = 0;
  for (const auto& [kind, ht] : by_kind) {
    std::cout << absl::StrFormat("  recall %-16s %4d / %4d = %.3f\n", kind, ht.first,
                                 ht.second, ht.second ? 1.0 * ht.first / ht.second : 0.0);
    if (kind == "exact_duplicate" || kind == "correction") {
      reliable_hit += ht.first;
      reliable_total += ht.second;
    }
  }
  std::cout << absl::StrFormat("  recall exact_duplicate+correction %d / %d = %.3f\n",
                               reliable_hit, reliable_total,
                               reliable_total ? 1.0 * reliable_hit / reliable_total : 0.0);
  std::cout << absl::StrFormat(
      "  links (duplicate_of/supersedes): %d, of which in the silver pairs: %d (%.3f)\n",
      links.size(), links_in_silver,
      links.empty() ? 0.0 : 1.0 * links_in_silver / links.size());
  std::cout << "  flags:";
  for (const char* fl : {"correction", "update", "refile", "kill", "withheld", "stale",
                         "killed_story", "embargoed"}) {
    std::cout << " " << fl << "=" << flag_counts[fl];
  }
  std::cout << "\n"
            << absl::StrFormat(
                   "  throughput: story stage %.1f us/article (%.0f articles/s on one "
                   "thread); decode+story wall %.1f s (%.0f articles/s)\n",
                   1e6 * story_seconds / std::max<size_t>(1, processed),
                   processed / std::max(1e-9, story_seconds), wall, processed / wall);
  if (misses) {
    for (const std::string& m : missed) std::cout << "  missed " << m << "\n";
  }
  if (sample > 0 && !links.empty()) {
    std::mt19937 rng(seed);
    std::shuffle(links.begin(), links.end(), rng);
    std::cout << "\nsample of " << std::min<size_t>(sample, links.size())
              << " predicted links (check by hand):\n";
    for (int i = 0; i < sample && i < static_cast<int>(links.size()); ++i) {
      const auto& [a, b] = links[i];
      std::cout << absl::StrFormat("[%d] %d -> %d  %s\n  A: %s | %s\n  B: %s | %s\n", i + 1,
                                   b, a, silver.count(links[i]) ? "(silver)" : "(not silver)",
                                   items[a].headline, Opening(items[a].body, 160),
                                   items[b].headline, Opening(items[b].body, 160));
    }
  }
  return 0;
}
