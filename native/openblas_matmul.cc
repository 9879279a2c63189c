// losslab's native matMul: cblas_sgemm from the system OpenBLAS, run in place on the wasm backend's heap.
//
// The wasm heap is one ArrayBuffer (the WebAssembly.Memory's). tfjs keeps every tensor at a byte offset in it, so
// a matrix product needs no copy: A, B and C are pointers into that buffer. The caller passes the buffer afresh on
// every call, because heap growth detaches the old one; nothing here keeps a pointer between calls.
#include <napi.h>

#include <cblas.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

// Declared here as well as in OpenBLAS's cblas.h, so a cblas.h from another BLAS still compiles (the link fails
// instead, with -lopenblas naming what is missing).
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" int openblas_get_num_threads(void);
extern "C" char* openblas_get_config(void);

namespace {

// A whole number in [0, 2^53) from argument `index`, or -1 (with a JS exception pending) when it is not one.
int64_t WholeNumber(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsNumber()) {
    Napi::TypeError::New(info.Env(), std::string("sgemm: ") + name + " must be a number").ThrowAsJavaScriptException();
    return -1;
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number < 9007199254740992.0) || number != static_cast<double>(static_cast<int64_t>(number))) {
    Napi::RangeError::New(info.Env(), std::string("sgemm: ") + name + " must be a whole number >= 0").ThrowAsJavaScriptException();
    return -1;
  }
  return static_cast<int64_t>(number);
}

/**
 * sgemm(heap, transposeA, transposeB, batch, m, n, k, aOffset, aBatchStride, bOffset, bBatchStride, cOffset)
 *
 * For each i < batch: C_i = op(A_i)·op(B_i), row-major, float32, where op(X) = Xᵀ when its flag is set.
 * C_i is m×n; op(A_i) is m×k (A_i is stored k×m when transposed); op(B_i) is k×n (B_i stored n×k when transposed).
 * Offsets are in bytes from the start of `heap`; batch strides are in elements (0 repeats one matrix for every i,
 * which is how a batch of 1 broadcasts). Every matrix must lie inside `heap`; C must not overlap A or B.
 */
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 12 || !info[0].IsArrayBuffer()) {
    Napi::TypeError::New(env, "sgemm: expected (heap: ArrayBuffer, transposeA, transposeB, batch, m, n, k, aOffset, "
                              "aBatchStride, bOffset, bBatchStride, cOffset)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  const bool transposeA = info[1].ToBoolean().Value();
  const bool transposeB = info[2].ToBoolean().Value();
  static const char* const names[] = {"batch", "m", "n", "k", "aOffset", "aBatchStride", "bOffset", "bBatchStride", "cOffset"};
  int64_t v[9];
  for (size_t i = 0; i < 9; i++) {
    v[i] = WholeNumber(info, i + 3, names[i]);
    if (v[i] < 0) return env.Undefined();
  }
  const int64_t batch = v[0], m = v[1], n = v[2], k = v[3];
  const int64_t aOffset = v[4], aStride = v[5], bOffset = v[6], bStride = v[7], cOffset = v[8];
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    Napi::RangeError::New(env, "sgemm: m, n and k must fit in a 32-bit int").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if ((aOffset | bOffset | cOffset) % 4 != 0) {
    Napi::RangeError::New(env, "sgemm: offsets must be multiples of 4 bytes (float32)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // Bounds: the last matrix of each operand must end inside the heap (sizes in bytes; all well below 2^63).
  const int64_t heapBytes = static_cast<int64_t>(heap.ByteLength());
  const auto fits = [&](int64_t offset, int64_t stride, int64_t size) {
    return batch == 0 || offset + 4 * ((batch - 1) * stride + size) <= heapBytes;
  };
  if (!fits(aOffset, aStride, m * k) || !fits(bOffset, bStride, k * n) || !fits(cOffset, m * n, m * n)) {
    Napi::RangeError::New(env, "sgemm: an operand lies outside the heap (stale offsets or a detached buffer?)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (batch == 0 || m == 0 || n == 0) return env.Undefined();

  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  const float* a = reinterpret_cast<const float*>(base + aOffset);
  const float* b = reinterpret_cast<const float*>(base + bOffset);
  float* c = reinterpret_cast<float*>(base + cOffset);
  if (k == 0) {  // An empty sum: C = 0 (sgemm rejects lda = 0 here).
    std::memset(c, 0, static_cast<size_t>(4 * batch * m * n));
    return env.Undefined();
  }
  const int lda = static_cast<int>(transposeA ? m : k);
  const int ldb = static_cast<int>(transposeB ? k : n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a + i * aStride, lda,
                b + i * bStride, ldb, 0.0f, c + i * m * n, static_cast<int>(n));
  }
  return env.Undefined();
}

// [Σv², Σ|v|, max|v|] over `length` floats in four float64 lanes (lane j takes i ≡ j mod 4), combined pairwise:
// exactly the order of sumsInto in src/backend/gradient-sums.ts. Compiled twice (AVX2 and baseline x86-64, picked at
// load); the lanes fix the order, so both give the same bits. v*v of a float32 is exact in float64, so an FMA
// contraction cannot change a sum either.
constexpr int kLanes = 4;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void SumsLanes(const float* __restrict values, int64_t length, double* __restrict squaresOut, double* __restrict magnitudesOut,
               double* __restrict largestOut) {
  // The four lanes as one vector of four doubles (GCC/Clang vector extensions): every operation is per lane, as in
  // the scalar loop, so the sums are the same bits; the vector only lets the core do the four at once.
  typedef double Double4 __attribute__((vector_size(32)));
  typedef float Float4 __attribute__((vector_size(16)));
  Double4 squares = {}, magnitudes = {}, largest = {};
  const int64_t whole = length - length % kLanes;
  for (int64_t i = 0; i < whole; i += kLanes) {
    Float4 four;
    std::memcpy(&four, values + i, sizeof four);
    const Double4 v = __builtin_convertvector(four, Double4);
    const Double4 magnitude = v < 0 ? -v : v;
    squares += v * v;
    magnitudes += magnitude;
    largest = magnitude > largest ? magnitude : largest;
  }
  for (int lane = 0; lane < kLanes; lane++) {
    squaresOut[lane] = squares[lane];
    magnitudesOut[lane] = magnitudes[lane];
    largestOut[lane] = largest[lane];
  }
  for (int64_t i = whole; i < length; i++) {
    const double v = values[i];
    const double magnitude = std::fabs(v);
    squaresOut[0] += v * v;
    magnitudesOut[0] += magnitude;
    largestOut[0] = magnitude > largestOut[0] ? magnitude : largestOut[0];
  }
}

/** (l0 + l1) + (l2 + l3). */
static double Combine(const double* lanes) {
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

/**
 * sums(heap, offset, length, out, at): out[at..at+2] = [Σv², Σ|v|, max|v|] of the `length` float32 values at byte
 * `offset` of `heap`, for the gradient recorder (see SumsLanes). A NaN makes all three NaN.
 */
Napi::Value Sums(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5 || !info[0].IsArrayBuffer() || !info[3].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::TypeError::New(env, "sums: expected (heap: ArrayBuffer, offset, length, out: Float32Array, at)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  const int64_t offset = WholeNumber(info, 1, "offset");
  const int64_t length = offset < 0 ? -1 : WholeNumber(info, 2, "length");
  const int64_t at = length < 0 ? -1 : WholeNumber(info, 4, "at");
  if (at < 0) return env.Undefined();
  Napi::Float32Array out = info[3].As<Napi::Float32Array>();
  if (offset % 4 != 0 || offset + 4 * length > static_cast<int64_t>(heap.ByteLength()) ||
      at + 3 > static_cast<int64_t>(out.ElementLength())) {
    Napi::RangeError::New(env, "sums: the values or the output lie outside their buffers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const float* values = reinterpret_cast<const float*>(static_cast<uint8_t*>(heap.Data()) + offset);
  double squares[kLanes] = {}, magnitudes[kLanes] = {}, largest[kLanes] = {};
  SumsLanes(values, length, squares, magnitudes, largest);
  const double sumAbs = Combine(magnitudes);
  double maxAbs = largest[0];
  for (int lane = 1; lane < kLanes; lane++) maxAbs = largest[lane] > maxAbs ? largest[lane] : maxAbs;
  float* target = out.Data() + at;
  target[0] = static_cast<float>(Combine(squares));
  target[1] = static_cast<float>(sumAbs);
  target[2] = static_cast<float>(sumAbs != sumAbs ? sumAbs : maxAbs);
  return env.Undefined();
}

/**
 * sgdUpdate(heap, outOffset, valueOffset, gradientOffset, length, c): out = value + c·gradient over `length` float32s,
 * each product rounded to float32 before the sum (binding.gyp compiles with -ffp-contract=off, so no FMA fuses
 * them): the same two roundings as tfjs's SGD, add(mul(c, g), w). Offsets in bytes.
 */
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 6 || !info[0].IsArrayBuffer() || !info[5].IsNumber()) {
    Napi::TypeError::New(env, "sgdUpdate: expected (heap: ArrayBuffer, outOffset, valueOffset, gradientOffset, length, c)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::ArrayBuffer heap = info[0].As<Napi::ArrayBuffer>();
  static const char* const names[] = {"outOffset", "valueOffset", "gradientOffset", "length"};
  int64_t v[4];
  for (size_t i = 0; i < 4; i++) {
    v[i] = WholeNumber(info, i + 1, names[i]);
    if (v[i] < 0) return env.Undefined();
  }
  const int64_t length = v[3];
  const int64_t heapBytes = static_cast<int64_t>(heap.ByteLength());
  for (size_t i = 0; i < 3; i++) {
    if (v[i] % 4 != 0 || v[i] + 4 * length > heapBytes) {
      Napi::RangeError::New(env, "sgdUpdate: an operand lies outside the heap").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  uint8_t* base = static_cast<uint8_t*>(heap.Data());
  float* out = reinterpret_cast<float*>(base + v[0]);
  const float* value = reinterpret_cast<const float*>(base + v[1]);
  const float* gradient = reinterpret_cast<const float*>(base + v[2]);
  const float c = static_cast<float>(info[5].As<Napi::Number>().DoubleValue());
  for (int64_t i = 0; i < length; i++) {
    const float step = c * gradient[i];
    out[i] = value[i] + step;
  }
  return env.Undefined();
}

/** setNumThreads(n): OpenBLAS's thread count for this process (1 at load). */
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const int64_t threads = WholeNumber(info, 0, "threads");
  if (threads < 0) return info.Env().Undefined();
  if (threads < 1 || threads > 1024) {
    Napi::RangeError::New(info.Env(), "setNumThreads: threads must be in 1..1024").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  openblas_set_num_threads(static_cast<int>(threads));
  return info.Env().Undefined();
}

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

/** OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
Napi::Value Config(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openblas_get_config());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // One thread per process: `--jobs N` runs N processes, and the matrices here are small enough that a second
  // thread mostly adds synchronisation.
  openblas_set_num_threads(1);
  exports.Set("sgemm", Napi::Function::New(env, Sgemm, "sgemm"));
  exports.Set("sums", Napi::Function::New(env, Sums, "sums"));
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdUpdate, "sgdUpdate"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
  exports.Set("config", Napi::Function::New(env, Config, "config"));
  return exports;
}

}  // namespace

NODE_API_MODULE(losslab_openblas, Init)
