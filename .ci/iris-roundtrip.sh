#!/usr/bin/env bash
# The deploy path on a user's badly scaled file, through the `train` command given as arguments (the installed
# .NET tool in CI): iris with a header, a quoted field, named classes and features from 1e-4 to 1e4 (derived here
# from tests/Train.Tests/Data/iris.csv: sepal length ×1000, sepal width +500, petal width ÷1000)
# → train --csv … --save m.fbp → train predict --model m.fbp --csv … must report the accuracy the model had in
# training (train's "accuracy on all 150 rows"), at least 90 %.
# Usage: .ci/iris-roundtrip.sh TRAIN_COMMAND...   e.g. .ci/iris-roundtrip.sh dotnet tools/train/bin/Release/net10.0/train.dll
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 TRAIN_COMMAND..."; exit 2; }
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

csv="$work/iris-scaled.csv"
{
  echo 'sepal length (mm × 100),"sepal width (cm, + 500)",petal length (cm),petal width (cm ÷ 1000),species'
  awk -F, 'NR > 1 {
    split("setosa versicolor virginica", names, " ")
    printf "%.10g,%.10g,%.10g,%.10g,%s\n", $1 * 1000, $2 + 500, $3, $4 / 1000, names[$5 + 1]
  }' tests/Train.Tests/Data/iris.csv
} >"$csv"
echo "iris-scaled.csv: $(($(wc -l <"$csv") - 1)) rows; first: $(sed -n 2p "$csv")"

train_log="$work/train.log"
"$@" --csv "$csv" --layers 16 --epochs 60 --save "$work/m.fbp" --quiet | tee "$train_log"
trained=$(grep -oP '^accuracy on all 150 rows: \K[0-9.]+' "$train_log") || { echo "train printed no accuracy line"; exit 1; }

predict_log="$work/predict.log"
"$@" predict --model "$work/m.fbp" --csv "$csv" --output "$work/predictions.csv" | tee "$predict_log"
predicted=$(grep -oP '^accuracy: \K[0-9.]+' "$predict_log") || { echo "train predict printed no accuracy line"; exit 1; }
head -3 "$work/predictions.csv"

[ "$trained" = "$predicted" ] || { echo "train predict reports $predicted %, but the model had $trained % in training"; exit 1; }
awk -v a="$predicted" 'BEGIN { exit !(a >= 90.0) }' || { echo "accuracy $predicted % on iris is below 90 %"; exit 1; }
echo "round trip: train and train predict agree at $predicted % on all 150 rows"
