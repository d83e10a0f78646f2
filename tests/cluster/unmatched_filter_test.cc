#include "cluster/unmatched_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/key_encoder.h"

namespace mergeflow {
namespace {

// Records what reaches it: "L" or "R" for a row alone, "LR" for a pair.
class Recorder : public MatchOutput {
 public:
  std::unique_ptr<MatchLane> NewLane(int, const Chunk*) override { return std::make_unique<Lane>(&taken_); }
  const std::vector<std::string>& taken() const { return taken_; }

 private:
  class Lane : public MatchLane {
   public:
    explicit Lane(std::vector<std::string>* taken) : taken_(taken) {}
    void Take(const RowRef* left, const RowRef* right) override {
      taken_->push_back(std::string(left ? "L" : "") + (right ? "R" : ""));
    }
    void ForgetRows() override {}
    Status EndChunk(uint32_t) override { return Status::OK(); }
    Status FlushIfFull() override { return Status::OK(); }
    Status Flush() override { return Status::OK(); }
    uint64_t results() const override { return taken_->size(); }

   private:
    std::vector<std::string>* taken_;
  };
  std::vector<std::string> taken_;
};

RowRef Row(const std::string& text) { return RowRef{text.data(), static_cast<uint32_t>(text.size())}; }

struct Sides {
  JoinSide left, right;
  Sides() {
    left.schema = {{"id", "v"}, {0}};
    right.schema = {{"id", "w"}, {0}};
  }
};

// What rank `rank` of 4 outputs for a left and a right row of key "a",
// alone, when "a" is heavy and spread on the left, and `spread_has_a`
// says whether the left's rows of it were read somewhere.
std::vector<std::string> Outputs(JoinType type, int rank, bool spread_has_a) {
  const Sides sides;
  const RowRouter router(4, rank, {{KeyEncoder::Hash("a"), Side::kLeft}});
  SpreadKeys spread(1);
  if (spread_has_a) spread.Note(0, "a");
  JoinOptions options;
  options.type = type;
  Recorder recorder;
  UnmatchedFilter filter(&recorder, router, spread, sides.left, sides.right, options);
  std::unique_ptr<MatchLane> lane = filter.NewLane(0, nullptr);
  const std::string left = "a\t1", right = "a\tx", other = "b\ty";
  const RowRef l = Row(left), r = Row(right), o = Row(other);
  lane->Take(&l, nullptr);
  lane->Take(nullptr, &r);
  lane->Take(&l, &r);
  lane->Take(nullptr, &o);  // not heavy: always passes
  return recorder.taken();
}

TEST(UnmatchedFilterTest, ABroadcastRowWithPartnersElsewhereIsNeverOutputAlone) {
  for (JoinType type : {JoinType::kRight, JoinType::kOuter}) {
    for (int rank = 0; rank < 4; ++rank) {
      EXPECT_EQ(Outputs(type, rank, true), (std::vector<std::string>{"L", "LR", "R"})) << rank;
    }
  }
}

TEST(UnmatchedFilterTest, ABroadcastRowWithoutPartnersIsOutputByTheOwnerAlone) {
  const int owner = RowRouter(4, 0, {}).Owner(KeyEncoder::Hash("a"));
  for (int rank = 0; rank < 4; ++rank) {
    const std::vector<std::string> expected =
        rank == owner ? std::vector<std::string>{"L", "R", "LR", "R"} : std::vector<std::string>{"L", "LR", "R"};
    EXPECT_EQ(Outputs(JoinType::kOuter, rank, false), expected) << rank;
  }
}

TEST(UnmatchedFilterTest, JoinsThatDropUnmatchedRightRowsPassEverything) {
  // The engine hands a left join no right row alone; inner joins no row
  // alone. Whatever it hands on is passed.
  for (JoinType type : {JoinType::kInner, JoinType::kLeft, JoinType::kSemi, JoinType::kAnti}) {
    EXPECT_EQ(Outputs(type, 0, true), (std::vector<std::string>{"L", "R", "LR", "R"}));
  }
}

}  // namespace
}  // namespace mergeflow
