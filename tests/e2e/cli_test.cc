// End-to-end tests: the mergeflow binary on real files.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e/cli_runner.h"

namespace mergeflow {
namespace {

using testing::ReadFile;
using testing::RunMergeflow;
using testing::RunScript;
using testing::TempDir;
using testing::WriteFile;

const std::string kExamples = std::string(MERGEFLOW_SOURCE_DIR) + "/examples";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Data rows (header dropped), sorted: for joins whose order is unspecified.
std::vector<std::string> SortedRows(const std::string& text) {
  auto lines = Lines(text);
  if (!lines.empty()) lines.erase(lines.begin());
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// All rows of an output directory's parts, in part order, header once.
std::string ReadOutput(const std::string& dir) {
  std::string all;
  bool first = true;
  for (const std::string& name : DirEntries(dir)) {
    if (name[0] == '_') continue;
    std::string text = ReadFile(dir + "/" + name);
    if (!first) text = text.substr(text.find('\n') + 1);
    first = false;
    all += text;
  }
  return all;
}

// Writes `left` and `right` as l.EXT and r.EXT, runs `mergeflow join l.EXT
// r.EXT FLAGS`, expects success and returns what it printed.
std::string JoinTexts(const std::string& left, const std::string& right, const std::string& flags,
                      const std::string& ext = "tsv") {
  TempDir dir;
  WriteFile(dir / ("l." + ext), left);
  WriteFile(dir / ("r." + ext), right);
  auto r = RunMergeflow(dir, "join l." + ext + " r." + ext + " " + flags);
  EXPECT_EQ(r.exit_code, 0) << flags << ": " << r.err;
  return r.out;
}

TEST(CliTest, PandasScriptCompatIsExact) {
  TempDir dir;
  auto r = RunMergeflow(dir, "join --compat pandas-script " + kExamples + "/x_list.txt " + kExamples + "/y_list.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ID_x\tvalue_x\tvalue_y\n"
            "A\tHello\tolleH\nB\tWorld\tdlroW\nC\tHow\twoH\nD\tDo\toD\nE\tYou\tuoY\nF\tDo\toD\nG\t?\t?\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliTest, SparkScriptCompatIsExactWithTheScriptsFlags) {
  TempDir dir;
  auto r = RunMergeflow(dir, "join --compat spark-script --data_source_1 " + kExamples + "/x_list.txt --data_source_2 " +
                                 kExamples + "/y_list.txt --output_uri out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(DirEntries(dir / "out"), (std::vector<std::string>{"_SUCCESS", "part-00000.csv"}));
  EXPECT_EQ(ReadFile(dir / "out/part-00000.csv"),
            "ID_x,value_x,value_y\n"
            "ID,Word,droW\nA,Hello,olleH\nB,World,dlroW\nC,How,woH\nD,Do,oD\nE,You,uoY\nF,Do,oD\nG,?,?\n");
  auto manifest = nlohmann::json::parse(ReadFile(dir / "out/_SUCCESS"));
  EXPECT_EQ(manifest["rows"]["output"], 8);
  EXPECT_EQ(manifest["join"]["how"], "left");
}

TEST(CliTest, SparkCompatKeepsUnmatchedLeftRowsWithNulls) {
  EXPECT_EQ(JoinTexts("1\ta\n2\tb\n", "1\tz\n", "--compat spark-script", "txt"),
            "ID_x,value_x,value_y\n1,a,z\n2,b,\n");
}

TEST(CliTest, DefaultJoinOfTheExamples) {
  TempDir dir;
  auto r = RunMergeflow(dir, "join " + kExamples + "/x_list.txt " + kExamples + "/y_list.txt --order left");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out)[0], "ID\tWord\tdroW");
  EXPECT_EQ(Lines(r.out)[1], "A\tHello\tolleH");
  EXPECT_EQ(Lines(r.out).size(), 8u);
}

class JoinTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "l.tsv", "k\tv\n1\ta\n2\tb\n2\tc\n\td\n4\te\n");
    WriteFile(dir_ / "r.tsv", "k\tw\n2\tx\n2\ty\n3\tz\n\tn\n1\to\n");
  }
  std::vector<std::string> Join(const std::string& flags) {
    auto r = RunMergeflow(dir_, "join l.tsv r.tsv " + flags);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(Lines(r.out).at(0), OutputsLeftOnly(flags) ? "k\tv" : "k\tv\tw");
    return SortedRows(r.out);
  }
  static bool OutputsLeftOnly(const std::string& flags) {
    return flags.find("semi") != std::string::npos || flags.find("anti") != std::string::npos;
  }
  TempDir dir_;
};

TEST_F(JoinTypesTest, Inner) {
  EXPECT_EQ(Join("--how inner"), (std::vector<std::string>{"1\ta\to", "2\tb\tx", "2\tb\ty", "2\tc\tx", "2\tc\ty"}));
}
TEST_F(JoinTypesTest, Left) {
  EXPECT_EQ(Join("--how left"), (std::vector<std::string>{"\td\t", "1\ta\to", "2\tb\tx", "2\tb\ty", "2\tc\tx",
                                                          "2\tc\ty", "4\te\t"}));
}
TEST_F(JoinTypesTest, Right) {
  EXPECT_EQ(Join("--how right"), (std::vector<std::string>{"\t\tn", "1\ta\to", "2\tb\tx", "2\tb\ty", "2\tc\tx",
                                                           "2\tc\ty", "3\t\tz"}));
}
TEST_F(JoinTypesTest, Outer) {
  EXPECT_EQ(Join("--how outer"), (std::vector<std::string>{"\t\tn", "\td\t", "1\ta\to", "2\tb\tx", "2\tb\ty",
                                                           "2\tc\tx", "2\tc\ty", "3\t\tz", "4\te\t"}));
}
TEST_F(JoinTypesTest, Semi) { EXPECT_EQ(Join("--how semi"), (std::vector<std::string>{"1\ta", "2\tb", "2\tc"})); }
TEST_F(JoinTypesTest, Anti) { EXPECT_EQ(Join("--how anti"), (std::vector<std::string>{"\td", "4\te"})); }
TEST_F(JoinTypesTest, NullKeysEqualMatchesEmptyKeysLikePandas) {
  EXPECT_EQ(Join("--how inner --null-keys-equal"),
            (std::vector<std::string>{"\td\tn", "1\ta\to", "2\tb\tx", "2\tb\ty", "2\tc\tx", "2\tc\ty"}));
}
TEST_F(JoinTypesTest, OrderLeftKeepsLeftOrderThenRightOrder) {
  auto r = RunMergeflow(dir_, "join l.tsv r.tsv --how outer --order left --threads 3 --chunk-size 64");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "k\tv\tw\n1\ta\to\n2\tb\tx\n2\tb\ty\n2\tc\tx\n2\tc\ty\n\td\t\n4\te\t\n3\t\tz\n\t\tn\n");
}

TEST(CliTest, CompositeKeysAndSuffixes) {
  EXPECT_EQ(JoinTexts("a\tb\tv\n1\tx\tL1\n1\ty\tL2\n", "a\tb\tv\n1\ty\tR1\n1\tx\tR2\n2\tx\tR3\n",
                      "--on a,b --suffixes _left,_right --order left"),
            "a\tb\tv_left\tv_right\n1\tx\tL1\tR2\n1\ty\tL2\tR1\n");
}

TEST(CliTest, LeftOnRightOnKeepsBothKeyColumns) {
  EXPECT_EQ(JoinTexts("id\tv\n1\ta\n", "key\tw\n1\tb\n", "--left-on id --right-on key"),
            "id\tv\tkey\tw\n1\ta\t1\tb\n");
}

TEST(CliTest, NoHeaderNamesColumnsOrUsesGivenNames) {
  EXPECT_EQ(JoinTexts("1\ta\n", "1\tb\n", "--no-header"), "c1\tc2_x\tc2_y\n1\ta\tb\n");
  EXPECT_EQ(JoinTexts("1\ta\n", "1\tb\n", "--no-header --left-names id,x --right-names id,y"),
            "id\tx\ty\n1\ta\tb\n");
}

TEST(CliTest, CsvQuotingCrlfAndBom) {
  const std::string left = "\xEF\xBB\xBFid,text\r\n\"k,1\",\"say \"\"hi\"\"\"\r\n\"k2\",\"two\nlines\"\r\n";
  const std::string right = "id,n\r\nk,0\r\n\"k,1\",1\r\nk2,\"2\"\r\n";
  EXPECT_EQ(JoinTexts(left, right, "--order left", "csv"),
            "id,text,n\n\"k,1\",\"say \"\"hi\"\"\",1\nk2,\"two\nlines\",2\n");
  EXPECT_EQ(JoinTexts(left, right, "--order left --format tsv", "csv"),
            "id\ttext\tn\nk,1\t\"say \"\"hi\"\"\"\t1\nk2\t\"two\nlines\"\t2\n");
}

TEST(CliTest, QuoteNoneReadsQuotesAsData) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\t5\"2\n");
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n");
  auto strict = RunMergeflow(dir, "join l.tsv r.tsv");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_EQ(strict.err, "mergeflow: error: l.tsv:2: quote inside an unquoted field (use --quote none for raw text)\n");
  auto raw = RunMergeflow(dir, "join l.tsv r.tsv --quote none");
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(raw.out, "id\tv\tw\n1\t\"5\"\"2\"\tx\n");
}

TEST(CliTest, BadRowStopsTheRunNamingFileAndLineAndKeepsTheOldOutput) {
  TempDir dir;
  std::string rows = "id\tv\n";
  for (int i = 0; i < 300; ++i) rows += std::to_string(i) + "\tvalue\n";
  WriteFile(dir / "l.tsv", rows + "17\tx\ty\n");
  WriteFile(dir / "r.tsv", "id\tw\n1\tz\n");
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/_SUCCESS", "old");
  auto r = RunMergeflow(dir, "join l.tsv r.tsv -o out --chunk-size 256 --threads 4");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mergeflow: error: l.tsv:302: expected 2 fields, found 3\n");
  EXPECT_EQ(DirEntries(dir / "out"), (std::vector<std::string>{"_SUCCESS"}));
  EXPECT_EQ(ReadFile(dir / "out/_SUCCESS"), "old");
  EXPECT_EQ(DirEntries(dir.path()), (std::vector<std::string>{"l.tsv", "out", "r.tsv"}));
}

TEST(CliTest, BadRowsCanBeSkippedAndAreCounted) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n2\n3\tc\td\n4\te\n");
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n4\ty\n");
  auto r = RunMergeflow(dir, "join l.tsv r.tsv --bad-rows skip -o out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            "mergeflow: warning: skipped 2 bad row(s)\n"
            "mergeflow: skipped l.tsv:3: expected 2 fields, found 1\n"
            "mergeflow: skipped l.tsv:4: expected 2 fields, found 3\n");
  auto manifest = nlohmann::json::parse(ReadFile(dir / "out/_SUCCESS"));
  EXPECT_EQ(manifest["bad_rows"]["skipped"], 2);
  EXPECT_EQ(manifest["bad_rows"]["first"][0]["line"], 3);
  EXPECT_EQ(SortedRows(ReadOutput(dir / "out")), (std::vector<std::string>{"1\ta\tx", "4\te\ty"}));
}

// A file where every other row is bad, read by several threads in small
// chunks: all are counted, and the first five are shown with their lines.
TEST(CliTest, ManyBadRowsAreCountedAndTheFirstShownWithTheirLines) {
  TempDir dir;
  std::string rows = "id,v\n";
  for (int i = 0; i < 20000; ++i) rows += std::to_string(i) + (i % 2 == 0 ? ",v,extra\n" : ",v\n");
  WriteFile(dir / "l.csv", rows);
  auto r = RunMergeflow(dir, "join l.csv l.csv --bad-rows skip -o out --chunk-size 4K --threads 3 -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto manifest = nlohmann::json::parse(ReadFile(dir / "out/_SUCCESS"));
  EXPECT_EQ(manifest["bad_rows"]["skipped"], 20000);
  ASSERT_EQ(manifest["bad_rows"]["first"].size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(manifest["bad_rows"]["first"][k]["file"], "l.csv");
    EXPECT_EQ(manifest["bad_rows"]["first"][k]["line"], 2 + 2 * k);
  }
}

TEST(CliTest, UsageErrorsExitTwoWithOneLine) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n");
  for (std::string args : {"join l.tsv", "join l.tsv l.tsv --how sideways", "join l.tsv l.tsv --bogus",
                                  "join l.tsv l.tsv --on nope", "join - - ", "frobnicate",
                                  "join l.tsv l.tsv --compat pandas-script --how left",
                                  "join l.tsv l.tsv --memory-limit lots", "join l.tsv l.tsv --sep ''",
                                  "join l.tsv l.tsv --sep ';;'"}) {
    auto r = RunMergeflow(dir, args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(r.err.starts_with("mergeflow: error: ")) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
  EXPECT_EQ(RunMergeflow(dir, "join l.tsv l.tsv --sep ''").err,
            "mergeflow: error: --sep takes one character (or 'tab'), not ''\n");
  auto missing_column = RunMergeflow(dir, "join l.tsv l.tsv --on nope");
  EXPECT_EQ(missing_column.err, "mergeflow: error: no column 'nope' in LEFT l.tsv (columns: id, v)\n");
}

TEST(CliTest, MissingOrEmptyInputsAreOneLineErrors) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n");
  WriteFile(dir / "empty.tsv", "");
  WriteFile(dir / "header.tsv", "id\tw\n");
  auto missing = RunMergeflow(dir, "join l.tsv nope.tsv");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "mergeflow: error: cannot open nope.tsv: No such file or directory\n");
  auto empty = RunMergeflow(dir, "join l.tsv empty.tsv");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_EQ(empty.err, "mergeflow: error: RIGHT empty.tsv is empty: no header line to name its columns\n");
  auto header_only = RunMergeflow(dir, "join l.tsv header.tsv --how left");
  ASSERT_EQ(header_only.exit_code, 0) << header_only.err;
  EXPECT_EQ(header_only.out, "id\tv\tw\n1\ta\t\n");
}

TEST(CliTest, FullDiskIsOneLineAndKeepsTheOldOutput) {
  TempDir dir;
  std::string rows = "id\tv\n";
  for (int i = 0; i < 20000; ++i) rows += std::to_string(i) + "\tsome value\n";
  WriteFile(dir / "l.tsv", rows);
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/_SUCCESS", "old");
  // A file size limit makes writes fail with EFBIG, as a full disk fails
  // them with ENOSPC.
  const int code = RunScript(dir, R"(trap '' XFSZ; ulimit -f 64; "$MERGEFLOW" join l.tsv l.tsv -o out 2> err)");
  EXPECT_EQ(code, 1);
  // Which part meets the limit first depends on how many threads write.
  const std::string err = ReadFile(dir / "err");
  const std::string before = "mergeflow: error: cannot write out/part-", after = ".tsv: File too large\n";
  ASSERT_TRUE(err.starts_with(before) && err.ends_with(after)) << err;
  const std::string number = err.substr(before.size(), err.size() - before.size() - after.size());
  EXPECT_TRUE(number.size() == 5 && number.find_first_not_of("0123456789") == std::string::npos) << err;
  EXPECT_EQ(DirEntries(dir / "out"), (std::vector<std::string>{"_SUCCESS"}));
  EXPECT_EQ(DirEntries(dir.path()), (std::vector<std::string>{"err", "l.tsv", "out"}));
}

TEST(CliTest, OutputThatCannotBeCreatedIsOneLine) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n");
  auto r = RunMergeflow(dir, "join l.tsv l.tsv -o l.tsv/out");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "mergeflow: error: cannot create output l.tsv/out: l.tsv is not a directory\n");
}

TEST(CliTest, VersionAndHelp) {
  TempDir dir;
  auto version = RunMergeflow(dir, "--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(version.out.starts_with("mergeflow ")) << version.out;
  auto help = RunMergeflow(dir, "join --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--memory-limit"), std::string::npos);
}

TEST(CliTest, StdinDirectoriesAndGlobs) {
  TempDir dir;
  std::filesystem::create_directories(dir / "parts");
  WriteFile(dir / "parts/part-0.tsv", "id\tv\n1\ta\n");
  WriteFile(dir / "parts/part-1.tsv", "id\tv\n2\tb\n");
  WriteFile(dir / "parts/_SUCCESS", "{}");
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n2\ty\n");
  auto from_dir = RunMergeflow(dir, "join parts r.tsv --order left");
  ASSERT_EQ(from_dir.exit_code, 0) << from_dir.err;
  EXPECT_EQ(from_dir.out, "id\tv\tw\n1\ta\tx\n2\tb\ty\n");
  auto from_glob = RunMergeflow(dir, "join 'parts/part-*.tsv' r.tsv --order left");
  EXPECT_EQ(from_glob.out, from_dir.out);
  auto from_stdin = RunMergeflow(dir, "join r.tsv - --order left < parts/part-1.tsv");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out, "id\tw\tv\n2\ty\tb\n");
}

TEST(CliTest, CompressedInputsAreDetectedByTheirBytes) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n2\tb\n");
  WriteFile(dir / "r.tsv", "id\tw\n2\ty\n1\tx\n");
  // The file names say nothing about the compression, on purpose.
  ASSERT_EQ(RunScript(dir, "gzip -c l.tsv > l.data && gzip -c r.tsv > r.gz"), 0);
  auto gz = RunMergeflow(dir, "join l.data r.gz --order left");
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  EXPECT_EQ(gz.out, "id\tv\tw\n1\ta\tx\n2\tb\ty\n");
  auto piped = RunMergeflow(dir, "join - r.tsv --order left < l.data");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, gz.out);
  WriteFile(dir / "broken.gz", ReadFile(dir / "l.data").substr(0, 12));
  auto broken = RunMergeflow(dir, "join broken.gz r.tsv");
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_EQ(broken.err, "mergeflow: error: broken.gz: truncated gzip data\n");
}

TEST(CliTest, ManyCompressedFilesKeepTheirOrderAndLineNumbers) {
  TempDir dir;
  std::string r = "id\tw\n";
  for (int k = 0; k < 3000; k += 3) r += std::to_string(k) + "\tr" + std::to_string(k) + "\n";
  WriteFile(dir / "r.tsv", r);
  // Ten left parts, gzip, zstd and plain, decoded by up to 4 reading threads;
  // --order left must see their rows exactly in file order.
  ASSERT_EQ(RunScript(dir, "mkdir parts\n"
                           "for p in 0 1 2 3 4 5 6 7 8 9; do\n"
                           "  { printf 'id\\tv\\n'; seq $((p * 300)) $((p * 300 + 299)) | awk -v p=$p "
                           "'{print ($1 * 7) % 3000 \"\\tp\" p \"-\" NR}'; } > parts/part-$p.tsv\n"
                           "  case $((p % 3)) in 0) gzip parts/part-$p.tsv;; 1) zstd -q --rm parts/part-$p.tsv;; esac\n"
                           "done\n"
                           "for f in parts/*; do case $f in *.gz) gzip -dc $f;; *.zst) zstd -dc $f;; *) cat $f;; esac "
                           "| tail -n +2; done > all.rows\n"
                           "{ printf 'id\\tv\\n'; cat all.rows; } > all.tsv\n"),
            0);
  auto parallel = RunMergeflow(dir, "join parts r.tsv --order left --how left --threads 4 --chunk-size 1K");
  ASSERT_EQ(parallel.exit_code, 0) << parallel.err;
  auto single = RunMergeflow(dir, "join all.tsv r.tsv --order left --how left --threads 1");
  ASSERT_EQ(single.exit_code, 0) << single.err;
  EXPECT_EQ(std::count(parallel.out.begin(), parallel.out.end(), '\n'), 3001);
  EXPECT_TRUE(parallel.out == single.out);
  // A bad row in the ninth part is reported with its own file and line.
  ASSERT_EQ(RunScript(dir, "{ zstd -dc parts/part-7.tsv.zst; printf 'x\\ty\\tz\\n'; } | zstd -q -o parts/part-7b.zst"),
            0);
  auto bad = RunMergeflow(dir, "join parts r.tsv --threads 4 --chunk-size 1K");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "mergeflow: error: parts/part-7b.zst:302: expected 2 fields, found 3\n");
}

TEST(CliTest, ManifestDescribesEveryPart) {
  TempDir dir;
  std::string l = "id\tv\n", r = "id\tw\n";
  for (int i = 0; i < 2000; ++i) {
    l += std::to_string(i % 700) + "\tl" + std::to_string(i) + "\n";
    r += std::to_string(i % 900) + "\tr" + std::to_string(i) + "\n";
  }
  WriteFile(dir / "l.tsv", l);
  WriteFile(dir / "r.tsv", r);
  auto run = RunMergeflow(dir, "join l.tsv r.tsv -o out --threads 3 --chunk-size 1K");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto manifest = nlohmann::json::parse(ReadFile(dir / "out/_SUCCESS"));
  uint64_t rows = 0;
  ASSERT_GE(manifest["parts"].size(), 1u);  // one part per thread that got rows
  for (const auto& part : manifest["parts"]) {
    std::string text = ReadFile(dir / ("out/" + part["name"].get<std::string>()));
    EXPECT_EQ(text.substr(0, text.find('\n')), "id\tv\tw");
    EXPECT_EQ(part["bytes"], text.size());
    EXPECT_EQ(part["rows"], std::count(text.begin(), text.end(), '\n') - 1);
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(XXH3_64bits(text.data(), text.size())));
    EXPECT_EQ(part["checksum"], std::string("xxh3-64:") + hex);
    rows += part["rows"].get<uint64_t>();
  }
  EXPECT_EQ(manifest["rows"]["output"], rows);
  EXPECT_GT(manifest["peak_memory_bytes"].get<uint64_t>(), 0u);
  // The same join on one thread in one chunk gives the same rows.
  auto single = RunMergeflow(dir, "join l.tsv r.tsv --threads 1");
  EXPECT_EQ(SortedRows(ReadOutput(dir / "out")), SortedRows(single.out));
  EXPECT_EQ(SortedRows(single.out).size(), rows);
}

TEST(CliTest, OverwriteReplacesTheOutputWhole) {
  TempDir dir;
  WriteFile(dir / "l.tsv", "id\tv\n1\ta\n");
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/part-00042.tsv", "stale");
  auto r = RunMergeflow(dir, "join l.tsv l.tsv -o out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Exactly the parts the manifest lists (how many depends on the threads).
  auto manifest = nlohmann::json::parse(ReadFile(dir / "out/_SUCCESS"));
  std::vector<std::string> expected = {"_SUCCESS"};
  for (const auto& part : manifest["parts"]) expected.push_back(part["name"].get<std::string>());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(DirEntries(dir / "out"), expected);
  EXPECT_EQ(SortedRows(ReadOutput(dir / "out")), (std::vector<std::string>{"1\ta\ta"}));
}

TEST(CliTest, SlowRunsReportProgressUnlessQuiet) {
  TempDir dir;
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n");
  // The left input trickles in through a FIFO, so the run takes a while.
  const std::string script = R"(
    mkfifo left.fifo
    "$MERGEFLOW" join left.fifo r.tsv --chunk-size 64 --progress-interval 0.05 FLAGS > out 2> err &
    pid=$!
    exec 3> left.fifo
    printf 'id\tv\n' >&3
    for i in $(seq 1 40); do printf '%d\tvalue\n' $i >&3; done
    sleep 0.4
    exec 3>&-
    wait $pid
  )";
  auto run = [&](const std::string& flags) {
    std::string s = script;
    s.replace(s.find("FLAGS"), 5, flags);
    EXPECT_EQ(RunScript(dir, s), 0);
    std::remove((dir / "left.fifo").c_str());
    return ReadFile(dir / "err");
  };
  const std::string err = run("");
  EXPECT_NE(err.find("mergeflow: build (left): "), std::string::npos) << err;
  EXPECT_NE(err.find(" rows"), std::string::npos) << err;
  EXPECT_EQ(run("--quiet"), "");
  EXPECT_EQ(ReadFile(dir / "out"), "id\tv\tw\n1\tvalue\tx\n");
}

TEST(CliTest, InterruptedRunLeavesTheOldOutputAndNoDebris) {
  TempDir dir;
  WriteFile(dir / "r.tsv", "id\tw\n1\tx\n");
  std::filesystem::create_directories(dir / "out");
  WriteFile(dir / "out/_SUCCESS", "old");
  // The left input is a FIFO this script keeps open, so the run is
  // certainly in the middle of the join (staging created) when SIGTERM comes.
  const int code = RunScript(dir, R"(
    mkfifo left.fifo
    "$MERGEFLOW" join left.fifo r.tsv -o out --chunk-size 64 2> err &
    pid=$!
    exec 3> left.fifo
    printf 'id\tv\n' >&3
    for i in $(seq 1 50); do printf '%d\tvalue\n' $i >&3; done
    for i in $(seq 1 100); do ls -a | grep -q mergeflow-staging && break; sleep 0.05; done
    ls -a | grep -q mergeflow-staging || exit 90
    kill -TERM $pid
    wait $pid
    rc=$?
    exec 3>&-
    exit $rc
  )");
  EXPECT_EQ(code, 143);
  EXPECT_EQ(ReadFile(dir / "err"), "mergeflow: error: interrupted; output left unchanged\n");
  EXPECT_EQ(DirEntries(dir / "out"), (std::vector<std::string>{"_SUCCESS"}));
  EXPECT_EQ(ReadFile(dir / "out/_SUCCESS"), "old");
  EXPECT_EQ(DirEntries(dir.path()), (std::vector<std::string>{"err", "left.fifo", "out", "r.tsv"}));
}

// SIGTERM at moments spread over a whole run (from before its temporary
// directory and run markers exist to after its commit): every interrupted
// run leaves OUT old or new and nothing else behind, with no later run to
// clean up after it.
TEST(CliTest, InterruptsAtAnyMomentLeaveNoDebris) {
  TempDir dir;
  const int code = RunScript(dir, std::string("GEN='") + MERGEFLOW_GEN_BINARY + R"sh('
    set -e
    mkdir tmp; export TMPDIR=$PWD/tmp
    $GEN --rows 100000 --key-space 200000 --seed 1 -o l.tsv
    $GEN --rows 100000 --key-space 200000 --seed 2 -o r.tsv
    flags="-q -o out --memory-limit 10M --chunk-size 64K --threads 2"
    join() { "$MERGEFLOW" join l.tsv r.tsv --how $1 $flags; }
    rows() { cat out/part-* | sort; }
    join left; rows > new.rows; join inner; rows > old.rows
    start=$(date +%s%N); join inner; ms=$((($(date +%s%N) - start) / 1000000 + 1))
    interrupted=0
    for i in $(seq 1 30); do
      delay=$((i * ms / 30))
      "$MERGEFLOW" join l.tsv r.tsv --how left $flags 2> err & pid=$!
      sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
      kill -TERM $pid 2> /dev/null || true
      rc=0; wait $pid || rc=$?
      case $rc in
        0) rows | cmp -s - new.rows || { echo "run $i: a finished run without the new output"; exit 1; } ;;
        143) interrupted=$((interrupted + 1))
             # (silent when the signal came before the process set up its handler)
             [ ! -s err ] || [ "$(cat err)" = "mergeflow: error: interrupted; output left unchanged" ] ||
               { echo "run $i: $(cat err)"; exit 1; }
             rows | cmp -s - old.rows || rows | cmp -s - new.rows || { echo "run $i: OUT neither old nor new"; exit 1; } ;;
        *) echo "run $i: exit status $rc: $(cat err)"; exit 1 ;;
      esac
      left=$(ls -A tmp; ls -a | grep mergeflow- || true)
      [ -z "$left" ] || { echo "run $i (after ${delay} ms, status $rc) left: $left"; exit 1; }
      join inner
    done
    # The test means something only if many runs were cut short (run times
    # vary on a busy machine).
    [ $interrupted -ge 10 ] || { echo "only $interrupted of 30 runs were interrupted"; exit 1; }
  )sh");
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace mergeflow
