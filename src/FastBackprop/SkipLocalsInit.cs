// Stack scratch is not zeroed on entry: GEMM's per-call tile scratch (2 KiB on the batch-1 path) and the four-row
// softmax copies are fully written before they are read (zero padding, where a kernel needs it, is written
// explicitly), so the zeroing the runtime does by default is pure per-call overhead.
[module: SkipLocalsInit]
