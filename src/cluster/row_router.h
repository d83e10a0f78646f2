// RowRouter: which MPI rank(s) a row goes to in the shuffle.
//
// A key's owner is a function of its hash alone, so both sides' rows of a
// key meet on one rank (the rank is just another partition number). A heavy
// key (a large share of one side's rows, found by sampling) is spread
// instead: that side's rows of it go round-robin to every rank and the other
// side's rows of it to all ranks, so no rank has to join it alone. Every
// pair then meets on exactly one rank; a broadcast row that is to be output
// when it matches nothing must not be output by every rank where it just
// had no partner (UnmatchedFilter sees to it).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/join_type.h"

namespace mergeflow {

enum class Side { kLeft = 0, kRight = 1 };

// A key hash and how many sampled rows of one side had it.
struct KeyCount {
  uint64_t hash = 0;
  uint64_t rows = 0;
};

// What one rank saw of one side while sampling.
struct SideSample {
  uint64_t rows = 0;          // rows sampled
  std::vector<KeyCount> top;  // the most frequent key hashes, most frequent first
};

// A heavy key and how its rows travel.
struct HeavyKey {
  uint64_t hash = 0;
  // The side whose rows of the key go round-robin to every rank (the other
  // side's then go to all ranks); none: both sides' go to the owner rank.
  std::optional<Side> spread;
  // Semi and anti joins: of the right side's rows of the key, each sender
  // sends only the first of each distinct key, since they only tell whether
  // a left row matched.
  bool first_right_row_only = false;

  bool Spreads(Side side) const { return spread == side; }
  bool Broadcasts(Side side) const { return spread.has_value() && *spread != side; }
};

// The heavy keys given every rank's samples of both sides (samples[rank][side]).
// A key is heavy when its estimated share of a side's rows, times the number
// of ranks, is at least `threshold` (so a key worth a fifth of one rank's fair
// share, with 0.2); the side where it weighs more is spread. Semi and anti
// joins spread only the left side (they output each left row once, by
// whether it matched, so a left row cannot be on every rank), and send the
// first right row of each heavy key only.
std::vector<HeavyKey> FindHeavyKeys(const std::vector<std::vector<SideSample>>& samples, JoinType type,
                                    double threshold);

class RowRouter {
 public:
  RowRouter(int ranks, int rank, std::vector<HeavyKey> heavy);

  // The owner rank of a key hash when it is not heavy.
  int Owner(uint64_t hash) const;

  // Calls to(rank) for each rank that gets a row of `side` with key hash
  // `hash` (has_key false: a NULL key, kept on this rank). `turn` is the
  // caller's round-robin counter for spread rows.
  template <class To>
  void Route(Side side, bool has_key, uint64_t hash, uint64_t* turn, To to) const {
    if (!has_key) return to(rank_);
    const int heavy = HeavyIndex(hash);
    if (heavy < 0 || !heavy_[heavy].spread) return to(Owner(hash));
    if (heavy_[heavy].Spreads(side)) return to(static_cast<int>((*turn)++ % ranks_));
    for (int r = 0; r < ranks_; ++r) to(r);
  }

  // The index in heavy() of the heavy key with this hash; -1 if none.
  int HeavyIndex(uint64_t hash) const;

  const std::vector<HeavyKey>& heavy() const { return heavy_; }
  int ranks() const { return ranks_; }
  int rank() const { return rank_; }

 private:
  int ranks_;
  int rank_;
  std::vector<HeavyKey> heavy_;  // sorted by hash
};

}  // namespace mergeflow
