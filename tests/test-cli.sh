#!/bin/sh
# test-cli.sh MRT: the mrt command end to end on the bundled sample.
# Prints TAP. Needs Fashion-MNIST (Debian's dataset-fashion-mnist) for run/eval.
set -u
MRT="$1"
SAMPLE="${MRT_SAMPLE_DIR:?}"
DATASETS=/usr/share/datasets
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0
ok () { n=$((n+1)); echo "ok $n - $1"; }
not_ok () { n=$((n+1)); fails=$((fails+1)); echo "not ok $n - $1"; }
check () { desc="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$desc"; else not_ok "$desc"; fi; }

# info: text and JSON
"$MRT" info "$SAMPLE/fashion_cnn" --input-shape "(1, 1, 28, 28)" > "$T/info.txt" 2>&1
check "info prints the output shape" grep -q "softmax_output *(1, 10)" "$T/info.txt"
"$MRT" info "$SAMPLE/fashion_cnn.json" --json --input-shape "(2,1,28,28)" > "$T/info.json"
check "info --json has every key" sh -c "grep -q '\"nodes\":29' '$T/info.json' && grep -q '\"ops\":{' '$T/info.json' && grep -q '\"inputs\":\[{\"name\":\"data\",\"shape\":\[2,1,28,28\]' '$T/info.json' && grep -q '\"params\":106010' '$T/info.json' && grep -q '\"param_bytes\":424040' '$T/info.json'"

# bad input: exit 1, one line naming the file
printf '{"nodes": [' > "$T/broken.json"
"$MRT" info "$T/broken.json" > "$T/info-out" 2> "$T/err"; st=$?
check "info on malformed JSON exits 1" test "$st" -eq 1
check "the error is one line naming the file" sh -c "test \$(wc -l < '$T/err') -eq 1 && grep -q 'broken.json' '$T/err'"
"$MRT" info "$T/nonexistent" 2> "$T/err"; st=$?
check "info on a missing model exits 1" test "$st" -eq 1
"$MRT" info "$SAMPLE/fashion_cnn" --input-shape "(1, 3, 28, 28)" 2> "$T/err"; st=$?
check "a wrong input shape is refused naming the node" sh -c "test $st -eq 1 && grep -q 'conv' '$T/err'"
"$MRT" frobnicate 2> /dev/null; st=$?
check "an unknown command exits 2" test "$st" -eq 2

if [ ! -d "$DATASETS/fashion-mnist" ]; then
  echo "ok $((n+1)) # SKIP Fashion-MNIST not installed"
  echo "1..$((n+1))"
  exit 0
fi

# run: every stage with checkpoints, a short evaluation, export to a temp folder
cp "$SAMPLE/fashion_cnn.json" "$SAMPLE/fashion_cnn.params" "$T/"
sed -e "s|^Dump=False|Dump=True|" -e "s|^Iter_num=.*|Iter_num=3|" -e "s|^Dump_dir=.*|Dump_dir=$T/out|" \
    "$SAMPLE/fashion_cnn.ini" > "$T/fashion_cnn.ini"
mkdir -p "$T/out"
"$MRT" run "$T/fashion_cnn.ini" --json > "$T/run.json" 2> "$T/run.err"; st=$?
check "mrt run succeeds" test "$st" -eq 0
check "run --json lists the stages" sh -c "grep -q '\"stages\":\[{\"name\":\"PREPARE\"' '$T/run.json' && grep -q '\"name\":\"COMPILATION\"' '$T/run.json'"
check "run --json has the evaluation" grep -q '"evaluation":{"float":{"top1":' "$T/run.json"
check "run --json counts 300 samples" grep -q '"samples":300' "$T/run.json"
check "run --json has the export with gas" grep -q '"export":{"dir":"[^"]*fashion_cnn_cvm","gas":[1-9]' "$T/run.json"
for f in fashion_cnn.prepare.json fashion_cnn.prepare.params fashion_cnn.mrt.calibrate.json \
         fashion_cnn.mrt.calibrate.ext fashion_cnn.mrt.quantize.json fashion_cnn.mrt.quantize.params \
         fashion_cnn.mrt.quantize.ext fashion_cnn.all.quantize.ext; do
  check "checkpoint $f written" test -s "$T/$f"
done
for f in symbol params data.npy ext; do
  check "export holds $f" test -s "$T/out/fashion_cnn_cvm/$f"
done
check "no temporary folder is left behind" sh -c "! ls -a '$T/out' | grep -q '^\.fashion_cnn_cvm'"

# check
"$MRT" check "$T/out/fashion_cnn_cvm" > "$T/check.txt"; st=$?
check "mrt check accepts the export" sh -c "test $st -eq 0 && grep -q 'OK' '$T/check.txt' && grep -q 'Gas:' '$T/check.txt'"
"$MRT" check "$T/out/fashion_cnn_cvm" --json > "$T/check.json"
check "check --json gas equals the run's gas" sh -c "grep -o '\"gas\":[0-9]*' '$T/check.json' | head -1 > '$T/g1'; grep -o '\"gas\":[0-9]*' '$T/run.json' | head -1 > '$T/g2'; cmp -s '$T/g1' '$T/g2'"

# infer: the exported model and the quantized checkpoint give the same integers
"$MRT" infer "$T/out/fashion_cnn_cvm" --raw --input "$T/out/fashion_cnn_cvm/data.npy" --output "$T/cvm.npy" > /dev/null
"$MRT" infer "$T/fashion_cnn.mrt.quantize" --raw --input "$T/out/fashion_cnn_cvm/data.npy" --output "$T/ckpt.npy" > /dev/null
check "infer on the CVM folder writes int32" test -s "$T/cvm.npy"
check "export and checkpoint give identical integers" cmp -s "$T/cvm.npy" "$T/ckpt.npy"
"$MRT" infer "$SAMPLE/fashion_cnn" --input "$T/out/fashion_cnn_cvm/data.npy" --output "$T/float.npy" > "$T/infer.txt"
check "float infer writes float32 (1, 10)" grep -q "float32 (1, 10)" "$T/infer.txt"
# without --raw the folder's ext gives the input and output scales
"$MRT" infer "$T/out/fashion_cnn_cvm" --input "$T/out/fashion_cnn_cvm/data.npy" --output "$T/scaled.npy" > "$T/scaled.txt"; st=$?
check "infer on the CVM folder without --raw reads ext and writes float32 (1, 10)" sh -c "test $st -eq 0 && grep -q 'float32 (1, 10)' '$T/scaled.txt'"
cp -r "$T/out/fashion_cnn_cvm" "$T/bad_ext_cvm"
printf '{"inputs_ext": {"data": {"scale": "127"}}, "oscales": [1.0]}' > "$T/bad_ext_cvm/ext"
"$MRT" infer "$T/bad_ext_cvm" --input "$T/out/fashion_cnn_cvm/data.npy" --output "$T/bad.npy" 2> "$T/err"; st=$?
check "a malformed ext is refused naming the file and the member" sh -c "test $st -eq 1 && grep -q 'bad_ext_cvm/ext' '$T/err' && grep -q 'scale' '$T/err'"

# resume: Start=QUANTIZATION reuses the checkpoints and gives the same accuracy
sed -i "s|^Start=.*|Start=QUANTIZATION|" "$T/fashion_cnn.ini"
"$MRT" run "$T/fashion_cnn.ini" --json > "$T/resume.json" 2>/dev/null; st=$?
check "resume from QUANTIZATION succeeds" test "$st" -eq 0
check "resume skips the earlier stages" sh -c "! grep -q '\"PREPARE\"' '$T/resume.json'"
check "resume gives the same quantized accuracy" sh -c "grep -o '\"quantized\":{[^}]*}' '$T/run.json' > '$T/a1'; grep -o '\"quantized\":{[^}]*}' '$T/resume.json' > '$T/a2'; cmp -s '$T/a1' '$T/a2'"

# Ctrl-C in the middle of a whole-test-set evaluation: exit 130, the export
# of the first run untouched, no temporary folder
sed -e "s|^Iter_num=.*|Iter_num=100|" "$T/fashion_cnn.ini" > "$T/long.ini"
cksum "$T/out/fashion_cnn_cvm/params" "$T/out/fashion_cnn_cvm/symbol" > "$T/sum.before"
"$MRT" run "$T/long.ini" > /dev/null 2> "$T/int.err" &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q "^Iteration:" "$T/int.err"; do sleep 0.1; i=$((i+1)); done
kill -INT $pid
wait $pid; st=$?
check "Ctrl-C during mrt run exits 130" test "$st" -eq 130
check "an interrupted run says so on its last line" sh -c "tail -n 1 '$T/int.err' | grep -q 'interrupted'"
cksum "$T/out/fashion_cnn_cvm/params" "$T/out/fashion_cnn_cvm/symbol" > "$T/sum.after"
check "the earlier export is unchanged" cmp -s "$T/sum.before" "$T/sum.after"
check "no temporary folder after the interrupt" sh -c "! ls -a '$T/out' | grep -q '^\.fashion_cnn_cvm'"

# a bad option value stops before any stage, naming section and option
sed -i "s|^Shift_bits=.*|Shift_bits=many|" "$T/fashion_cnn.ini"
"$MRT" run "$T/fashion_cnn.ini" 2> "$T/err"; st=$?
check "a bad .ini value fails naming [QUANTIZATION] Shift_bits" sh -c "test $st -eq 1 && grep -q 'QUANTIZATION\] Shift_bits' '$T/err'"

# eval
"$MRT" eval "$SAMPLE/fashion_cnn" --dataset fashion_mnist --dataset-dir "$DATASETS" --batch 50 --iter-num 2 --json > "$T/eval.json"
check "eval --json reports 100 samples" sh -c "grep -q '\"samples\":100' '$T/eval.json' && grep -q '\"top1\":0\.[0-9]' '$T/eval.json'"

# export → check → infer round trip for the ResNet-20-style and MobileNet-style models
for m in resnet20 mobilenet; do
  D="$T/$m"; mkdir -p "$D/out"
  cp "$MRT_TEST_DATA/models/$m.json" "$MRT_TEST_DATA/models/$m.params" "$D/"
  sed -e "s|^Iter_num=.*|Iter_num=1|" -e "s|^Dump_dir=.*|Dump_dir=$D/out|" \
      -e "/^\[QUANTIZATION\]/,/^\[/ s|^Dump=.*|Dump=True|" "$MRT_TEST_DATA/models/$m.ini" > "$D/$m.ini"
  "$MRT" run "$D/$m.ini" --json > "$D/run.json" 2> "$D/err"; st=$?
  check "$m: mrt run with export succeeds" test "$st" -eq 0
  "$MRT" check "$D/out/${m}_cvm" > /dev/null; st=$?
  check "$m: the export passes mrt check" test "$st" -eq 0
  "$MRT" infer "$D/out/${m}_cvm" --raw --input "$D/out/${m}_cvm/data.npy" --output "$D/cvm.npy" > /dev/null
  "$MRT" infer "$D/$m.mrt.quantize" --raw --input "$D/out/${m}_cvm/data.npy" --output "$D/ckpt.npy" > /dev/null
  check "$m: export and checkpoint give identical integers" sh -c "test -s '$D/cvm.npy' && cmp -s '$D/cvm.npy' '$D/ckpt.npy'"
done

echo "1..$n"
echo "$((n-fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
