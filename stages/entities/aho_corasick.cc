#include "stages/entities/aho_corasick.h"

#include <deque>

namespace newsd::stages {

TokenAhoCorasick::TokenAhoCorasick() : nodes_(1), children_(1) {}

uint32_t TokenAhoCorasick::Goto(uint32_t state, uint32_t symbol) const {
  auto it = edges_.find(EdgeKey(state, symbol));
  return it == edges_.end() ? kNone : it->second;
}

uint32_t TokenAhoCorasick::Add(absl::Span<const uint32_t> symbols) {
  uint32_t state = 0;
  for (uint32_t s : symbols) {
    uint32_t next = Goto(state, s);
    if (next == kNone) {
      next = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back(Node{});
      nodes_.back().depth = nodes_[state].depth + 1;
      children_.emplace_back();
      edges_.emplace(EdgeKey(state, s), next);
      children_[state].emplace_back(s, next);
    }
    state = next;
  }
  if (nodes_[state].pattern == kNone) nodes_[state].pattern = num_patterns_++;
  return nodes_[state].pattern;
}

void TokenAhoCorasick::Build() {
  std::deque<uint32_t> queue;
  for (const auto& [symbol, child] : children_[0]) {
    nodes_[child].fail = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    const uint32_t state = queue.front();
    queue.pop_front();
    for (const auto& [symbol, child] : children_[state]) {
      uint32_t f = nodes_[state].fail;
      uint32_t target = Goto(f, symbol);
      while (target == kNone && f != 0) {
        f = nodes_[f].fail;
        target = Goto(f, symbol);
      }
      nodes_[child].fail = (target == kNone || target == child) ? 0 : target;
      const Node& fail = nodes_[nodes_[child].fail];
      nodes_[child].output = fail.pattern != kNone ? nodes_[child].fail : fail.output;
      queue.push_back(child);
    }
  }
  children_.clear();
  children_.shrink_to_fit();
}

void TokenAhoCorasick::FindAll(absl::Span<const uint32_t> text,
                               std::vector<Match>* out) const {
  uint32_t state = 0;
  for (uint32_t i = 0; i < text.size(); ++i) {
    const uint32_t symbol = text[i];
    if (symbol == 0) {
      state = 0;
      continue;
    }
    uint32_t next = Goto(state, symbol);
    while (next == kNone && state != 0) {
      state = nodes_[state].fail;
      next = Goto(state, symbol);
    }
    state = next == kNone ? 0 : next;
    for (uint32_t s = nodes_[state].pattern != kNone ? state : nodes_[state].output; s != 0;
         s = nodes_[s].output) {
      out->push_back(Match{i + 1 - nodes_[s].depth, i + 1, nodes_[s].pattern});
    }
  }
}

}  // namespace newsd::stages
