#!/usr/bin/env bash
# Sets mergeflow up on a fresh Debian 12 machine and runs the bundled example:
# the data scientist's merge of examples/x_list.txt and examples/y_list.txt,
# then the same merge as a pipeline that publishes it blue/green, and a
# pipeline of per-cluster statistics of a small cells x genes matrix.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== mergeflow join examples/x_list.txt examples/y_list.txt --how left -o out/example"
build/mergeflow join examples/x_list.txt examples/y_list.txt --how left --order left -o out/example
ls out/example
cat out/example/part-00000.tsv
echo
echo "== the original pandas script, reproduced exactly (--compat pandas-script)"
build/mergeflow join --compat pandas-script examples/x_list.txt examples/y_list.txt
echo
echo "== the same merge as a pipeline, published blue/green (examples/pipelines/merge-and-publish.yaml)"
build/mergeflow run examples/pipelines/merge-and-publish.yaml
build/mergeflow runs examples/pipelines/merge-and-publish.yaml
echo
echo "== per-cluster statistics of a cells x genes matrix, published blue/green (examples/pipelines/cluster-stats.yaml)"
build/mergeflow run examples/pipelines/cluster-stats.yaml
build/mergeflow dataset log out/pipelines/lake/cluster_stats
