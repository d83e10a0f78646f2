#include "cluster/launcher.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

namespace mergeflow {
namespace {

// Sets exactly the launcher variables given (clearing the others the
// launcher reads) for the life of the object.
class LauncherEnvironment {
 public:
  explicit LauncherEnvironment(const std::map<std::string, std::string>& values) {
    for (const char* name : kNames) {
      if (const char* old = std::getenv(name)) saved_[name] = old;
      unsetenv(name);
    }
    for (const auto& [name, value] : values) setenv(name.c_str(), value.c_str(), 1);
  }
  ~LauncherEnvironment() {
    for (const char* name : kNames) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  static constexpr const char* kNames[] = {"OMPI_COMM_WORLD_SIZE",
                                           "OMPI_COMM_WORLD_RANK",
                                           "SLURM_STEP_NUM_TASKS",
                                           "SLURM_PROCID",
                                           "SLURM_NTASKS",
                                           "SLURM_MPI_TYPE",
                                           "PMIX_RANK",
                                           "PMI_SIZE",
                                           "PMI_RANK"};
  std::map<std::string, std::string> saved_;
};

// What DetectLaunch makes of exactly these launcher variables.
Launch LaunchWith(const std::map<std::string, std::string>& values) {
  LauncherEnvironment env(values);
  return DetectLaunch();
}

// That these variables make a launch of `processes` copies, this one
// `rank`, that can run (as one MPI job when there are several).
void ExpectRunnable(const std::map<std::string, std::string>& values, int processes, int rank) {
  const Launch launch = LaunchWith(values);
  EXPECT_EQ(launch.processes, processes);
  EXPECT_EQ(launch.rank, rank);
  EXPECT_EQ(launch.cannot_join, "");
}

TEST(LauncherTest, AProcessStartedByNoLauncherIsAlone) { ExpectRunnable({}, 1, 0); }

TEST(LauncherTest, MpirunsRanksJoin) {
  ExpectRunnable({{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "3"}}, 4, 3);
}

TEST(LauncherTest, SrunTasksWithPmixJoin) {
  ExpectRunnable({{"SLURM_STEP_NUM_TASKS", "3"}, {"SLURM_PROCID", "2"}, {"SLURM_MPI_TYPE", "pmix"}, {"PMIX_RANK", "2"}},
                 3, 2);
}

TEST(LauncherTest, SrunTasksWithoutPmixCannotJoinAndAreToldWhatToUse) {
  for (const std::string plugin : {"none", "pmi2"}) {
    std::map<std::string, std::string> values = {
        {"SLURM_STEP_NUM_TASKS", "3"}, {"SLURM_PROCID", "1"}, {"SLURM_MPI_TYPE", plugin}};
    if (plugin == "pmi2") values.insert({{"PMI_SIZE", "3"}, {"PMI_RANK", "1"}});
    const Launch launch = LaunchWith(values);
    EXPECT_EQ(launch.processes, 3) << plugin;
    EXPECT_EQ(launch.rank, 1) << plugin;
    EXPECT_NE(launch.cannot_join.find("--mpi=" + plugin), std::string::npos) << launch.cannot_join;
    EXPECT_NE(launch.cannot_join.find("srun --mpi=pmix"), std::string::npos) << launch.cannot_join;
    EXPECT_EQ(launch.cannot_join.find('\n'), std::string::npos) << launch.cannot_join;
  }
}

TEST(LauncherTest, ABatchScriptAndASingleTaskAreAlone) {
  // sbatch -n 3 runs the script itself once, with the job's task count.
  ExpectRunnable({{"SLURM_NTASKS", "3"}, {"SLURM_PROCID", "0"}}, 1, 0);
  ExpectRunnable({{"SLURM_STEP_NUM_TASKS", "1"}, {"SLURM_PROCID", "0"}, {"SLURM_MPI_TYPE", "none"}}, 1, 0);
}

TEST(LauncherTest, MpichsPmiRanksJoin) { ExpectRunnable({{"PMI_SIZE", "2"}, {"PMI_RANK", "1"}}, 2, 1); }

TEST(LauncherTest, GarbledCountsAreIgnored) {
  ExpectRunnable({{"OMPI_COMM_WORLD_SIZE", "3x"}, {"SLURM_STEP_NUM_TASKS", "-2"}, {"PMI_SIZE", ""}}, 1, 0);
}

}  // namespace
}  // namespace mergeflow
