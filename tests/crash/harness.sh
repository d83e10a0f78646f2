# The start the SIGKILL harnesses (tests/crash/kill_*.sh) share; each sources
# it with its arguments after setting its defaults in $kills, $modes and
# $rows. It parses [--kills N] [--modes A,B] [--rows N] BUILD_DIR into
# $kills, $modes, $rows and $mergeflow; makes a work directory (the current
# directory from then on, removed at exit) with a TMPDIR of its own;
# generates the inputs l.tsv and r.tsv ($rows rows each); and defines
# aws_s3 (awscli aimed at the tests' S3 server) and use_test_s3 (the AWS
# variables of the tests' keys, for mergeflow and awscli).
harness=$(basename "$0")
while [[ $# -gt 1 ]]; do
  case $1 in
    --kills) kills=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    *) echo "$harness: unknown option $1" >&2; exit 2 ;;
  esac
done
build=$(cd "${1:?usage: $harness [--kills N] [--modes A,B] [--rows N] BUILD_DIR}" && pwd)
mergeflow=$build/mergeflow

work=$(mktemp -d "/tmp/mergeflow-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
"$build/mergeflow-gen" --rows "$rows" --key-space $((rows * 2)) --seed 1 -o l.tsv
"$build/mergeflow-gen" --rows "$rows" --key-space $((rows * 2)) --seed 2 --columns 3 -o r.tsv

aws_s3() { /usr/bin/aws --endpoint-url "$MERGEFLOW_TEST_S3_ENDPOINT" "$@"; }

use_test_s3() {
  : "${MERGEFLOW_TEST_S3_ENDPOINT:?the s3 mode needs MERGEFLOW_TEST_S3_ENDPOINT}"
  export AWS_ENDPOINT_URL=$MERGEFLOW_TEST_S3_ENDPOINT AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-mergeflow-test}
  export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test-secret-never-printed}
}
