// mergeflow aggregate end to end: layouts and their files, the manifest's
// counts, and one-line errors for bad input that leave OUT as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/cli_runner.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunMergeflow;
using testing::TempDir;
using testing::WriteFile;

class AggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "m.tsv",
              "cell\tG1\tG2\n"
              "c1\t1\t0\n"
              "c2\t3\tNA\n"
              "c3\t0\t4e0\n"
              "c4\t5\t5\n"
              "c5\t7\t0\n");
    WriteFile(dir_ / "meta.tsv",
              "cell\tcluster\n"
              "c1\tA\n"
              "c2\tA\n"
              "c3\tB\n"
              "c4\t\n"
              "c9\tB\n");
  }
  TempDir dir_;
};

TEST_F(AggregateTest, WritesATablePerStatisticAndCountsWhatItLeftOut) {
  const auto r = RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster --stats mean,count,var -o out -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir_ / "out/mean/part-00000.tsv"), "cluster\tG1\tG2\nA\t2.0\t0.0\nB\t0.0\t4.0\n");
  EXPECT_EQ(ReadFile(dir_ / "out/count/part-00000.tsv"), "cluster\tG1\tG2\nA\t2\t1\nB\t1\t1\n");
  EXPECT_EQ(ReadFile(dir_ / "out/var/part-00000.tsv"), "cluster\tG1\tG2\nA\t2.0\t\nB\t\t\n");
  const nlohmann::json manifest = nlohmann::json::parse(ReadFile(dir_ / "out/_SUCCESS"));
  EXPECT_EQ(manifest.at("rows").at("matrix"), 5);
  EXPECT_EQ(manifest.at("rows").at("aggregated"), 3);
  EXPECT_EQ(manifest.at("rows").at("unmatched_rows"), 1);   // c5
  EXPECT_EQ(manifest.at("rows").at("null_group_rows"), 1);  // c4
  EXPECT_EQ(manifest.at("parts").size(), 3u);
  EXPECT_EQ(manifest.at("parts")[0].at("name"), "mean/part-00000.tsv");
}

TEST_F(AggregateTest, LongTransposedAndStandardOutput) {
  auto r = RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster --stats sum,max --layout long --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "cluster,feature,sum,max\nA,G1,4.0,3.0\nA,G2,0.0,0.0\nB,G1,0.0,0.0\nB,G2,4.0,4.0\n");
  r = RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster --transpose -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "feature\tA\tB\nG1\t2.0\t0.0\nG2\t0.0\t4.0\n");
}

TEST_F(AggregateTest, H5adOutputReadsBackWithAnndataAsTheTables) {
  ASSERT_EQ(RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster --stats mean,count,var -o tables -q").exit_code,
            0);
  const auto r = RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster --stats mean,count,var -o h5 -q "
                                    "--format h5ad");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json manifest = nlohmann::json::parse(ReadFile(dir_ / "h5/_SUCCESS"));
  ASSERT_EQ(manifest.at("parts").size(), 1u);
  EXPECT_EQ(manifest.at("parts")[0].at("name"), "aggregate.h5ad");
  EXPECT_EQ(testing::RunScript(dir_, R"sh(
    /usr/bin/python3 - <<'PY'
import anndata, numpy as np, pandas as pd, sys
a = anndata.read_h5ad("h5/aggregate.h5ad")
assert list(a.obs_names) == ["A", "B"], a.obs_names
assert list(a.var_names) == ["G1", "G2"], a.var_names
assert list(a.obs["n_obs_aggregated"]) == [2, 1]
assert list(a.obs["cluster"]) == ["A", "B"]
for stat in ["mean", "count", "var"]:
    table = pd.read_csv("tables/%s/part-00000.tsv" % stat, sep="\t", index_col=0)
    np.testing.assert_array_equal(a.layers[stat], table.to_numpy(dtype="float64"))
np.testing.assert_array_equal(a.X, a.layers["mean"])
PY
  )sh"),
            0);
  EXPECT_NE(RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster --format h5ad -q").exit_code, 0);
}

// META larger than the memory limit: the engine partitions it to disk with
// the matrix, and the tables come out the same; a bad value found after
// spilling still names its file and line.
TEST_F(AggregateTest, AMetaLargerThanMemoryIsSpilledWithTheSameTables) {
  ASSERT_EQ(testing::RunScript(dir_, R"sh(
    set -e
    awk 'BEGIN{OFS="\t"; print "id", "a", "b"; for (i = 0; i < 200000; i++) print "id" i, (i % 7) - 3, (i % 5 ? 0 : i / 1000)}' > big.tsv
    awk 'BEGIN{OFS="\t"; print "id", "cluster"; for (i = 0; i < 200000; i++) print "id" i, "k" (i * 13 % 41)}' > big_meta.tsv
    $MERGEFLOW aggregate big.tsv --meta big_meta.tsv --by cluster --stats mean,var,min,max,count -q -o whole
    $MERGEFLOW aggregate big.tsv --meta big_meta.tsv --by cluster --stats mean,var,min,max,count -q -o spilled \
      --memory-limit 14M --chunk-size 64K
    /usr/bin/python3 -c "import json,sys; sys.exit(0 if json.load(open('spilled/_SUCCESS'))['memory']['spilled_bytes'] > 0 else 1)"
    for s in mean var min max count; do cmp whole/$s/part-00000.tsv spilled/$s/part-00000.tsv; done
    printf 'id77\tx\t1\n' >> big.tsv
    ! $MERGEFLOW aggregate big.tsv --meta big_meta.tsv --by cluster -q -o spilled --memory-limit 14M --chunk-size 64K 2> err
    grep -q "big.tsv:200002: column 'a': not a number: 'x'" err
  )sh"),
            0);
}

TEST_F(AggregateTest, BadInputIsOneLineAndLeavesTheOutputAsItWas) {
  ASSERT_EQ(RunMergeflow(dir_, "aggregate m.tsv --meta meta.tsv --by cluster -o out -q").exit_code, 0);
  const std::string before = ReadFile(dir_ / "out/mean/part-00000.tsv");
  struct Case {
    const char* matrix;
    const char* meta;
    const char* args;
    const char* error;
  } cases[] = {
      {"cell\tG1\tG2\nc1\t1\t2\nc2\t1\tabc\n", nullptr, "", "m2.tsv:3: column 'G2': not a number: 'abc'"},
      {nullptr, "cell\tcluster\nc1\tA\nc2\tB\nc1\tC\n", "", "meta2.tsv:4: META key is also on line 2"},
      {"cell\tG1\tG2\nc1\t1\n", nullptr, "", "m2.tsv:2: "},
      {"cell\nc1\nc2\n", nullptr, "", "m2.tsv:1: the matrix has no columns besides its id 'cell'"},
      {nullptr, nullptr, "--by nope", "no column 'nope' in META meta2.tsv (columns: cell, cluster)"},
      {nullptr, nullptr, "--by cluster --stats median", "unknown statistic 'median'"},
  };
  for (const Case& c : cases) {
    WriteFile(dir_ / "m2.tsv", c.matrix != nullptr ? c.matrix : ReadFile(dir_ / "m.tsv"));
    WriteFile(dir_ / "meta2.tsv", c.meta != nullptr ? c.meta : ReadFile(dir_ / "meta.tsv"));
    const std::string by = std::string(c.args).find("--by") == std::string::npos ? " --by cluster" : "";
    const auto r = RunMergeflow(dir_, std::string("aggregate m2.tsv --meta meta2.tsv -o out -q ") + c.args + by);
    EXPECT_NE(r.exit_code, 0) << c.error;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(ReadFile(dir_ / "out/mean/part-00000.tsv"), before) << c.error;
  }
}

TEST_F(AggregateTest, SkippedRowsAreCountedInEveryFeatureBlockAlike) {
  // 200 groups x 600 features: a small memory limit takes them in blocks.
  std::string matrix = "cell";
  for (int f = 0; f < 600; ++f) matrix += "\tG" + std::to_string(f);
  matrix += "\n";
  std::string meta = "cell\tcluster\n";
  for (int row = 0; row < 2000; ++row) {
    matrix += "c" + std::to_string(row);
    for (int f = 0; f < 600; ++f)
      matrix += "\t" + (row == 7 && f == 599 ? std::string("bad") : std::to_string((row * 31 + f) % 5));
    matrix += "\n";
    meta += "c" + std::to_string(row) + "\tk" + std::to_string(row % 200) + "\n";
  }
  WriteFile(dir_ / "wide.tsv", matrix);
  WriteFile(dir_ / "wide_meta.tsv", meta);
  const std::string common = "aggregate wide.tsv --meta wide_meta.tsv --by cluster --stats mean,count --bad-rows skip -q";
  auto r = RunMergeflow(dir_, common + " -o whole");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunMergeflow(dir_, common + " -o blocks --memory-limit 16M --chunk-size 64K --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("wide.tsv:9: column 'G599': not a number: 'bad'"), std::string::npos) << r.err;
  const nlohmann::json manifest = nlohmann::json::parse(ReadFile(dir_ / "blocks/_SUCCESS"));
  EXPECT_GT(manifest.at("aggregate").at("feature_blocks"), 1);
  EXPECT_EQ(manifest.at("bad_rows").at("skipped"), 1);
  EXPECT_EQ(manifest.at("rows").at("aggregated"), 1999);
  for (const char* stat : {"mean", "count"})
    EXPECT_EQ(ReadFile(dir_ / (std::string("blocks/") + stat + "/part-00000.tsv")),
              ReadFile(dir_ / (std::string("whole/") + stat + "/part-00000.tsv")))
        << stat;
}


// AnnData files written by python3-anndata (Debian): groups from obs
// columns, layers and raw/X, and an HDF5 file that is not AnnData.
TEST(AggregateH5adTest, ReadsObsLayersAndRawAndRefusesOtherHdf5Files) {
  TempDir dir;
  ASSERT_EQ(testing::RunScript(dir, R"sh(
    /usr/bin/python3 - <<'PY' || exit 1
import anndata, h5py, numpy as np, pandas as pd, scipy.sparse as sp, warnings
warnings.simplefilter("ignore")
X = np.array([[1, 0, 2], [3, 0, 0], [0, 5, 1], [4, 4, 4]], dtype="float64")
obs = pd.DataFrame({"cluster": pd.Categorical(["a", "b", "a", None])}, index=["c0", "c1", "c2", "c3"])
a = anndata.AnnData(X=sp.csr_matrix(X), obs=obs, var=pd.DataFrame(index=["g0", "g1", "g2"]), dtype="float64")
a.layers["double"] = X * 2
a.raw = a
a.X = sp.csr_matrix(X * 10)
a.write_h5ad("a.h5ad", compression="lzf")
with h5py.File("plain.h5", "w") as f:
    f["numbers"] = np.arange(3)
# A 10x feature-barcode matrix: features x barcodes, compressed by barcode.
T = sp.csc_matrix(X.T)
with h5py.File("tenx.h5", "w") as f:
    m = f.create_group("matrix")
    m["data"] = T.data.astype(np.int32)
    m["indices"] = T.indices.astype(np.int64)
    m["indptr"] = T.indptr.astype(np.int64)
    m["shape"] = np.array(T.shape, dtype=np.int32)
    m["barcodes"] = np.array([b"c0", b"c1", b"c2", b"c3"])
    m["features/id"] = np.array([b"E0", b"E1", b"E2"])
    m["features/name"] = np.array([b"g0", b"g1", b"g0"])  # a repeated name: the ids name the columns
PY
    printf 'barcode\tcluster\nc0\ta\nc1\tb\nc2\ta\n' > tenx_meta.tsv
    $MERGEFLOW aggregate tenx.h5 --meta tenx_meta.tsv --by cluster --stats sum -o tenx -q
    printf 'cluster\tE0\tE1\tE2\na\t1.0\t5.0\t3.0\nb\t3.0\t0.0\t0.0\n' | cmp - tenx/sum/part-00000.tsv
    grep -q '"unmatched_rows": 1' tenx/_SUCCESS
    $MERGEFLOW aggregate a.h5ad --by cluster --stats sum -q > x.tsv
    $MERGEFLOW aggregate a.h5ad --by cluster --stats sum --layer double -q > layer.tsv
    $MERGEFLOW aggregate a.h5ad --by cluster --stats sum --raw -q > raw.tsv
    printf 'cluster\tg0\tg1\tg2\na\t10.0\t50.0\t30.0\nb\t30.0\t0.0\t0.0\n' | cmp - x.tsv
    printf 'cluster\tg0\tg1\tg2\na\t2.0\t10.0\t6.0\nb\t6.0\t0.0\t0.0\n' | cmp - layer.tsv
    printf 'cluster\tg0\tg1\tg2\na\t1.0\t5.0\t3.0\nb\t3.0\t0.0\t0.0\n' | cmp - raw.tsv
    ! $MERGEFLOW aggregate plain.h5 --by cluster -q 2> plain.err
    grep -q "plain.h5: neither an AnnData file (obs, var) nor a 10x feature-barcode matrix" plain.err && test $(wc -l < plain.err) = 1
    ! $MERGEFLOW aggregate a.h5ad --by nope -q 2> nope.err
    grep -q "a.h5ad: no obs column 'nope'" nope.err
    ! $MERGEFLOW aggregate a.h5ad --by cluster --layer nope -q 2> layer.err
    grep -q "no matrix layers/nope" layer.err
  )sh"),
            0);
}


// The bundled cluster-statistics pipeline: an aggregate step writes a
// dataset version, a validate step checks it, a publish step shows it; a
// second run skips the aggregate step.
TEST(AggregatePipelineTest, TheExamplePipelinePublishesClusterStatistics) {
  TempDir dir;
  ASSERT_EQ(testing::RunScript(dir, std::string("cp -r '") + MERGEFLOW_SOURCE_DIR + "/examples' .\n" + R"sh(
    set -e
    $MERGEFLOW run examples/pipelines/cluster-stats.yaml > first.log 2>&1
    grep -q 'stats            succeeded' first.log
    $MERGEFLOW run examples/pipelines/cluster-stats.yaml > second.log 2>&1
    grep -q 'stats            skip' second.log
    v=$(/usr/bin/python3 -c "import json; print(json.load(open('out/pipelines/lake/cluster_stats/_LATEST.json'))['version'])")
    m=out/pipelines/lake/cluster_stats/_versions/$v
    head -1 $m/part-00000.tsv | grep -qx "$(printf 'cluster\tfeature\tmean\tvar\tfrac_nnz\tcount_ge:1')"
    test $(tail -n +2 $m/part-00000.tsv | wc -l) = 72
    /usr/bin/python3 -c "import json,sys; r=json.load(open('$m/_SUCCESS'))['rows']; sys.exit(0 if r['unmatched_rows'] == 1 and r['aggregated'] == 59 else 1)"
  )sh"),
            0);
}


// A 10x Matrix Market directory, plain and gzip-compressed; a bad entry is
// one line naming the file and line.
TEST(AggregateMatrixMarketTest, ReadsPlainAndCompressedDirectoriesAndNamesABadLine) {
  TempDir dir;
  ASSERT_EQ(testing::RunScript(dir, R"sh(
    set -e
    mkdir mtx
    printf '%%%%MatrixMarket matrix coordinate integer general\n%%metadata_json: {}\n3 4 5\n' > mtx/matrix.mtx
    printf '1 1 1\n3 1 2\n2 3 5\n3 3 1\n1 4 4\n' >> mtx/matrix.mtx
    printf 'c0\nc1\nc2\nc3\n' > mtx/barcodes.tsv
    printf 'E0\tg0\tGene Expression\nE1\tg1\tGene Expression\nE2\tg2\tGene Expression\n' > mtx/features.tsv
    printf 'barcode\tcluster\nc0\ta\nc1\tb\nc2\ta\nc3\t\n' > meta.tsv
    $MERGEFLOW aggregate mtx --meta meta.tsv --by cluster --stats sum,count -q -o out
    printf 'cluster\tg0\tg1\tg2\na\t1.0\t5.0\t3.0\nb\t0.0\t0.0\t0.0\n' | cmp - out/sum/part-00000.tsv
    printf 'cluster\tg0\tg1\tg2\na\t2\t2\t2\nb\t1\t1\t1\n' | cmp - out/count/part-00000.tsv
    grep -q '"null_group_rows": 1' out/_SUCCESS
    mkdir gz
    for f in matrix.mtx barcodes.tsv features.tsv; do gzip -c mtx/$f > gz/$f.gz; done
    $MERGEFLOW aggregate gz --meta meta.tsv --by cluster --stats sum,count -q -o out-gz
    cmp out/sum/part-00000.tsv out-gz/sum/part-00000.tsv
    printf '2 9 1\n' >> mtx/matrix.mtx
    ! $MERGEFLOW aggregate mtx --meta meta.tsv --by cluster -q -o out 2> bad.err
    grep -q "mtx/matrix.mtx:9: expected an entry 'FEATURE BARCODE VALUE' within 3 x 4, found '2 9 1'" bad.err
    test $(wc -l < bad.err) = 1
    cmp out/sum/part-00000.tsv out-gz/sum/part-00000.tsv
  )sh"),
            0);
}

}  // namespace
}  // namespace mergeflow
