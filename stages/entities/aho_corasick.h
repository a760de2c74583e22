// Aho–Corasick automaton over token symbols: finds every occurrence of every
// pattern (a sequence of token ids) in one pass over a text's token ids, in
// O(text + matches) time.
//
// Symbols are non-zero uint32 ids chosen by the caller (the gazetteer's
// vocabulary); symbol 0 means "a token no pattern contains" and always falls back
// to the root. Build() must be called once after the last Add(); Match() is const
// and thread-safe afterwards.
#ifndef NEWSD_STAGES_ENTITIES_AHO_CORASICK_H_
#define NEWSD_STAGES_ENTITIES_AHO_CORASICK_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"

namespace newsd::stages {

class TokenAhoCorasick {
 public:
  struct Match {
    uint32_t begin;    // index of the first token of the occurrence
    uint32_t end;      // one past the last token
    uint32_t pattern;  // id returned by Add()
  };

  TokenAhoCorasick();

  // Adds a pattern of one or more non-zero symbols and returns its id (0, 1, 2,
  // ... in call order). Adding the same sequence twice returns the first id.
  uint32_t Add(absl::Span<const uint32_t> symbols);

  // Computes failure and output links. Call once, after the last Add().
  void Build();

  // Appends every occurrence in `text` to `out`, ordered by end position, longer
  // patterns first among those ending at the same token.
  void FindAll(absl::Span<const uint32_t> text, std::vector<Match>* out) const;

  size_t num_states() const { return nodes_.size(); }

 private:
  struct Node {
    uint32_t fail = 0;
    // Nearest state on the failure chain that ends a pattern (0 = none).
    uint32_t output = 0;
    // Pattern ending here, or kNone.
    uint32_t pattern = kNone;
    uint32_t depth = 0;
  };
  static constexpr uint32_t kNone = ~0u;

  static uint64_t EdgeKey(uint32_t state, uint32_t symbol) {
    return (static_cast<uint64_t>(state) << 32) | symbol;
  }
  // The goto function of the trie: kNone if there is no edge.
  uint32_t Goto(uint32_t state, uint32_t symbol) const;

  std::vector<Node> nodes_;
  absl::flat_hash_map<uint64_t, uint32_t> edges_;
  // Children of each state, for the breadth-first pass of Build().
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> children_;
  uint32_t num_patterns_ = 0;
};

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_ENTITIES_AHO_CORASICK_H_
