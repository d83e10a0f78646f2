// mergeflow-gen: deterministic test and benchmark data for joins.
//
//   mergeflow-gen --rows 10000000 --key-space 20000000 --seed 1 -o left.tsv
//
// Writes a header line (id, v1, v2, ...) then `rows` rows: a key drawn from
// [0, key-space) (uniform, or Zipf with --zipf S: key 0 is the most
// frequent), then columns-1 random alphanumeric values of --value-width bytes.
// The same flags and seed always give the same bytes.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace {

// splitmix64: small, fast, good enough for test data.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// Zipf(s) over 1..n by rejection-inversion (Hörmann and Derflinger, 1996).
class ZipfSampler {
 public:
  ZipfSampler(uint64_t n, double s) : n_(static_cast<double>(n)), s_(s) {
    h_integral_x1_ = HIntegral(1.5) - 1.0;
    h_integral_n_ = HIntegral(n_ + 0.5);
    threshold_ = 2.0 - HIntegralInverse(HIntegral(2.5) - H(2.0));
  }
  uint64_t Sample(Random& random) const {
    for (;;) {
      const double u = h_integral_n_ + random.Uniform() * (h_integral_x1_ - h_integral_n_);
      const double x = HIntegralInverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1) k = 1;
      if (k > n_) k = n_;
      if (k - x <= threshold_ || u >= HIntegral(k + 0.5) - H(k)) return static_cast<uint64_t>(k);
    }
  }

 private:
  static double Helper1(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x / 2.0; }
  static double Helper2(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x / 2.0; }
  double H(double x) const { return std::exp(-s_ * std::log(x)); }
  double HIntegral(double x) const {
    const double log_x = std::log(x);
    return Helper2((1.0 - s_) * log_x) * log_x;
  }
  double HIntegralInverse(double x) const {
    double t = x * (1.0 - s_);
    if (t < -1.0) t = -1.0;
    return std::exp(Helper1(t) * x);
  }

  double n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double threshold_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mergeflow-gen: deterministic join benchmark data"};
  uint64_t rows = 1000;
  uint64_t key_space = 2000;
  double zipf = 0;
  int columns = 2;
  int value_width = 15;
  uint64_t seed = 1;
  bool header = true;
  bool quoted_csv = false;
  std::string output;
  app.add_option("--rows", rows, "Rows to write");
  app.add_option("--key-space", key_space, "Keys are drawn from [0, key-space)")->check(CLI::PositiveNumber);
  app.add_option("--zipf", zipf, "Zipf exponent (0: uniform keys)");
  app.add_option("--columns", columns, "Columns per row, the key included")->check(CLI::Range(1, 1000000));
  app.add_option("--value-width", value_width, "Bytes per non-key value")->check(CLI::Range(0, 1 << 20));
  app.add_option("--seed", seed, "Random seed");
  app.add_flag("--header,!--no-header", header, "Write a header line (default: yes)");
  app.add_flag("--quoted-csv", quoted_csv,
               "Write CSV with every value in double quotes (the same values as the TSV of the same flags)");
  app.add_option("-o,--output", output, "Output file (default: stdout)");
  CLI11_PARSE(app, argc, argv);

  FILE* out = output.empty() ? stdout : std::fopen(output.c_str(), "wb");
  if (out == nullptr) {
    std::perror(output.c_str());
    return 1;
  }
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  Random random(seed);
  ZipfSampler sampler(key_space, zipf > 0 ? zipf : 1.0);
  const char separator = quoted_csv ? ',' : '\t';
  const char* quote = quoted_csv ? "\"" : "";
  std::string line;
  if (header) {
    line = std::string(quote) + "id" + quote;
    for (int c = 1; c < columns; ++c) line += separator + std::string(quote) + "v" + std::to_string(c) + quote;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
  }
  for (uint64_t r = 0; r < rows; ++r) {
    line.clear();
    const uint64_t key = zipf > 0 ? sampler.Sample(random) - 1 : random.Next() % key_space;
    line += quote + std::to_string(key) + quote;
    for (int c = 1; c < columns; ++c) {
      line += separator;
      line += quote;
      for (int i = 0; i < value_width; ++i) line += kAlphabet[random.Next() % 62];
      line += quote;
    }
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
      std::perror("write");
      return 1;
    }
  }
  if (out != stdout && std::fclose(out) != 0) {
    std::perror(output.c_str());
    return 1;
  }
  return 0;
}
