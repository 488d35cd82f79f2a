// BalancedBio Workbench: the "native" TensorFlow.js backend's N-API addon over ATen (libtorch).
//
// Tensors live in libtorch. JS holds a small integer handle per TF.js dataId; every kernel is one call here that
// takes handles (and plain attributes) and returns a new handle. Data is copied out only by read().
// Dtype codes shared with src/model/native.ts (keep in sync): 0 float32, 1 int32, 2 bool.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <torch/version.h>
#include <c10/core/CPUAllocator.h>
#include <node_api.h>
#include <dlfcn.h>
#include <malloc.h>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops.h"  // enum Unary/Binary/Reduce, generated from native/ops.json by scripts/build-native.mjs

namespace {

std::vector<at::Tensor> g_t;       // handle → tensor (index 0 unused)
std::vector<uint32_t> g_free;      // free handles
size_t g_live = 0;
at::Device g_device(at::kCPU);
int g_blas_threads = 0;

int g_blas_max = 1;   // OpenBLAS threads for large matmuls (setThreads)
int g_blas_now = -1;  // what OpenBLAS is set to right now
typedef void (*openblas_set_t)(int);
openblas_set_t g_openblas_set = nullptr;
// Small matmuls (decoding one token, small heads) run on one OpenBLAS thread: waking its pool costs more than the
// work, and on a busy machine a descheduled worker stalls the whole call. Large ones use the pool.
inline void blasFor(double mnk) {
  if (!g_openblas_set || g_blas_max <= 1) return;
  int want = mnk < 4.0e6 ? 1 : g_blas_max;
  if (want != g_blas_now) g_openblas_set(want), g_blas_now = want;
}

struct JsError {
  std::string msg;
};

// x2 [M,K] · w [K,N] (+ b [N]). One row (decoding a token) is a matrix-vector product: BLAS gemv reads w once,
// where gemm would first pack all of w into its blocked layout for a single row (measured 3–5× slower at 128×512).
// OpenBLAS's cblas_sgemv, called directly for one float32 row: ATen's addmv costs several µs of dispatch and checks
// around a 1–5 µs product at the model's sizes (resolved with dlsym, like openblas_set_num_threads; null → ATen)
typedef void (*cblas_sgemv_t)(int order, int trans, int m, int n, float alpha, const float* a, int lda, const float* x,
                              int incx, float beta, float* y, int incy);
cblas_sgemv_t g_sgemv = nullptr;

at::Tensor rowTimes(const at::Tensor& x2, const at::Tensor& w, const at::Tensor& b) {
  if (x2.size(0) == 1 && x2.device().is_cpu() && g_sgemv && x2.scalar_type() == at::kFloat && w.scalar_type() == at::kFloat &&
      w.device().is_cpu() && (!b.defined() || (b.scalar_type() == at::kFloat && b.numel() == w.size(1)))) {
    int64_t K = w.size(0), Nn = w.size(1);
    bool rowMajor = w.stride(1) == 1 && w.stride(0) == Nn, colMajor = w.stride(0) == 1 && w.stride(1) == K;
    if (K > 0 && Nn > 0 && (rowMajor || colMajor)) {
      auto xr = x2.contiguous();
      auto y = at::empty({1, Nn}, xr.options());
      if (b.defined()) std::memcpy(y.data_ptr<float>(), b.contiguous().data_ptr<float>(), Nn * sizeof(float));
      // row-major w [K,N]: y = wᵀ·x (Trans); a transposed view of a contiguous [N,K]: y = A·x (NoTrans)
      if (rowMajor) g_sgemv(101, 112, (int)K, (int)Nn, 1.0f, w.data_ptr<float>(), (int)Nn, xr.data_ptr<float>(), 1, b.defined() ? 1.0f : 0.0f, y.data_ptr<float>(), 1);
      else g_sgemv(101, 111, (int)Nn, (int)K, 1.0f, w.data_ptr<float>(), (int)K, xr.data_ptr<float>(), 1, b.defined() ? 1.0f : 0.0f, y.data_ptr<float>(), 1);
      return y;
    }
  }
  if (x2.size(0) == 1 && x2.device().is_cpu()) {
    auto r = b.defined() ? at::addmv(b.reshape({-1}), w.t(), x2[0]) : at::mv(w.t(), x2[0]);
    return r.view({1, w.size(1)});
  }
  return b.defined() ? at::addmm(b, x2, w) : at::mm(x2, w);
}

inline at::ScalarType dtypeOf(int code) {
  switch (code) {
    case 0: return at::kFloat;
    case 1: return at::kInt;
    case 2: return at::kBool;
  }
  throw JsError{"native: unknown dtype code " + std::to_string(code)};
}
inline int codeOf(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return 0;
    case at::kInt: return 1;
    case at::kBool: return 2;
    default: return -1;
  }
}

uint32_t put(at::Tensor t) {
  uint32_t id;
  if (!g_free.empty()) {
    id = g_free.back();
    g_free.pop_back();
    g_t[id] = std::move(t);
  } else {
    if (g_t.empty()) g_t.emplace_back();
    id = (uint32_t)g_t.size();
    g_t.push_back(std::move(t));
  }
  g_live++;
  return id;
}

inline const at::Tensor& get(uint32_t id) {
  if (id == 0 || id >= g_t.size() || !g_t[id].defined()) throw JsError{"native: invalid tensor handle " + std::to_string(id)};
  return g_t[id];
}

// ---- N-API helpers ----
#define NAPI_OK(call)                                          \
  do {                                                         \
    if ((call) != napi_ok) throw JsError{"native: N-API call failed: " #call}; \
  } while (0)

struct Args {
  napi_env env;
  size_t argc = 12;
  napi_value argv[12];
  Args(napi_env e, napi_callback_info info) : env(e) { NAPI_OK(napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr)); }
  void need(size_t n) const {
    if (argc < n) throw JsError{"native: expected " + std::to_string(n) + " arguments"};
  }
  uint32_t u32(size_t i) const {
    uint32_t v;
    NAPI_OK(napi_get_value_uint32(env, argv[i], &v));
    return v;
  }
  int32_t i32(size_t i) const {
    int32_t v;
    NAPI_OK(napi_get_value_int32(env, argv[i], &v));
    return v;
  }
  double f64(size_t i) const {
    double v;
    NAPI_OK(napi_get_value_double(env, argv[i], &v));
    return v;
  }
  bool b(size_t i) const {
    bool v;
    NAPI_OK(napi_get_value_bool(env, argv[i], &v));
    return v;
  }
  const at::Tensor& t(size_t i) const { return get(u32(i)); }
  std::vector<int64_t> ints(size_t i) const {
    uint32_t n;
    NAPI_OK(napi_get_array_length(env, argv[i], &n));
    std::vector<int64_t> out(n);
    for (uint32_t k = 0; k < n; k++) {
      napi_value e;
      NAPI_OK(napi_get_element(env, argv[i], k, &e));
      double d;
      NAPI_OK(napi_get_value_double(env, e, &d));
      out[k] = (int64_t)d;
    }
    return out;
  }
  std::vector<at::Tensor> tensors(size_t i) const {
    auto ids = ints(i);
    std::vector<at::Tensor> out;
    out.reserve(ids.size());
    for (auto id : ids) out.push_back(get((uint32_t)id));
    return out;
  }
};

napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}
napi_value u32v(napi_env env, uint32_t v) {
  napi_value r;
  napi_create_uint32(env, v, &r);
  return r;
}

// Result dtype: TF.js decides (its kernels' dtype rules); ATen results are converted when they differ.
inline at::Tensor as(at::Tensor r, int code) {
  if (code < 0) {
    auto s = r.scalar_type();
    if (s == at::kLong) return r.to(at::kInt);
    if (s == at::kDouble) return r.to(at::kFloat);
    return r;
  }
  auto want = dtypeOf(code);
  return r.scalar_type() == want ? r : r.to(want);
}

napi_value ret(napi_env env, at::Tensor r, int code) { return u32v(env, put(as(std::move(r), code))); }

napi_value retList(napi_env env, const std::vector<at::Tensor>& ts, int code) {
  napi_value arr;
  napi_create_array_with_length(env, ts.size(), &arr);
  for (size_t i = 0; i < ts.size(); i++) napi_set_element(env, arr, i, u32v(env, put(as(ts[i], code))));
  return arr;
}

template <typename F>
napi_value guard(napi_env env, F&& f) {
  try {
    return f();
  } catch (const JsError& e) {
    napi_throw_error(env, "BBIO_NATIVE", e.msg.c_str());
  } catch (const c10::Error& e) {
    std::string m = e.what_without_backtrace();
    napi_throw_error(env, "BBIO_NATIVE", ("native (ATen): " + m).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, "BBIO_NATIVE", (std::string("native: ") + e.what()).c_str());
  }
  return nullptr;
}

#define FN(name) napi_value name(napi_env env, napi_callback_info info)
#define BODY(...) return guard(env, [&]() -> napi_value { Args a(env, info); __VA_ARGS__ });

// ---- storage ----
// write(typedArray, shape, dtype) → handle (copies)
FN(write) {
  BODY({
    a.need(3);
    napi_typedarray_type tt;
    size_t len;
    void* data;
    napi_value ab;
    size_t off;
    NAPI_OK(napi_get_typedarray_info(env, a.argv[0], &tt, &len, &data, &ab, &off));
    auto shape = a.ints(1);
    int code = a.i32(2);
    int64_t n = 1;
    for (auto s : shape) n *= s;
    if ((int64_t)len != n) throw JsError{"native: write: " + std::to_string(len) + " values for a shape of " + std::to_string(n)};
    at::ScalarType st = dtypeOf(code);
    size_t esz = (code == 2) ? 1 : 4;
    bool typeOk = (code == 0 && tt == napi_float32_array) || (code == 1 && tt == napi_int32_array) ||
                  (code == 2 && (tt == napi_uint8_array || tt == napi_int8_array));
    at::Tensor t;
    if (typeOk) {
      t = at::empty(shape, at::TensorOptions().dtype(st));
      if (n) std::memcpy(t.data_ptr(), data, n * esz);
    } else {
      // a typed array of another kind (e.g. Float32Array for int32): convert element-wise through ATen
      at::ScalarType src;
      switch (tt) {
        case napi_float32_array: src = at::kFloat; break;
        case napi_float64_array: src = at::kDouble; break;
        case napi_int32_array: src = at::kInt; break;
        case napi_uint32_array: src = at::kLong; break;
        case napi_uint8_array: case napi_uint8_clamped_array: src = at::kByte; break;
        case napi_int8_array: src = at::kChar; break;
        case napi_int16_array: src = at::kShort; break;
        default: throw JsError{"native: write: unsupported typed array"};
      }
      if (tt == napi_uint32_array) {
        t = at::empty(shape, at::TensorOptions().dtype(at::kLong));
        auto* p = static_cast<uint32_t*>(data);
        auto* q = t.data_ptr<int64_t>();
        for (int64_t i = 0; i < n; i++) q[i] = p[i];
      } else {
        t = at::from_blob(data, shape, at::TensorOptions().dtype(src)).clone();
      }
      t = t.to(st);
    }
    if (g_device != at::kCPU) t = t.to(g_device);
    return u32v(env, put(std::move(t)));
  })
}

// read(handle) → typed array copy (Float32Array / Int32Array / Uint8Array)
FN(read) {
  BODY({
    a.need(1);
    at::Tensor t = a.t(0);
    if (t.device() != at::kCPU) t = t.to(at::kCPU);
    t = t.contiguous();
    int code = codeOf(t.scalar_type());
    if (code < 0) t = t.to(at::kFloat), code = 0;
    size_t n = t.numel(), esz = code == 2 ? 1 : 4;
    void* out;
    napi_value ab, ta;
    NAPI_OK(napi_create_arraybuffer(env, n * esz, &out, &ab));
    if (n) std::memcpy(out, t.data_ptr(), n * esz);
    NAPI_OK(napi_create_typedarray(env, code == 0 ? napi_float32_array : code == 1 ? napi_int32_array : napi_uint8_array, n, ab, 0, &ta));
    return ta;
  })
}

FN(dispose) {
  BODY({
    uint32_t id = a.u32(0);
    if (id && id < g_t.size() && g_t[id].defined()) {
      g_t[id] = at::Tensor();
      g_free.push_back(id);
      g_live--;
    }
    return nullptr;
  })
}

FN(live) { BODY({ return num(env, (double)g_live); }) }

// shape(handle) → number[] (tests and sanity checks)
FN(shape) {
  BODY({
    const auto& t = a.t(0);
    napi_value arr;
    napi_create_array_with_length(env, t.dim(), &arr);
    for (int64_t i = 0; i < t.dim(); i++) napi_set_element(env, arr, i, num(env, (double)t.size(i)));
    return arr;
  })
}
FN(dtype) { BODY({ return num(env, codeOf(a.t(0).scalar_type())); }) }

// ---- elementwise ----
at::Tensor unaryOp(int op, const at::Tensor& x) {
  switch (op) {
    case U_Neg: return at::neg(x);
    case U_Exp: return at::exp(x);
    case U_Log: return at::log(x);
    case U_Sqrt: return at::sqrt(x);
    case U_Rsqrt: return at::rsqrt(x);
    case U_Tanh: return at::tanh(x);
    case U_Sigmoid: return at::sigmoid(x);
    case U_Softplus: {
      // TF.js: x > 13.94 → x; x < −13.94 → exp(x); else log(exp(x)+1)
      const double th = std::log(1.1920928955078125e-7) + 2.0;
      return at::where(x > -th, x, at::where(x < th, at::exp(x), at::log1p(at::exp(x))));
    }
    case U_Abs: return at::abs(x);
    case U_Square: return at::mul(x, x);
    case U_Relu: return at::relu(x);
    case U_Sign: return at::sign(x);
    case U_Floor: return at::floor(x);
    case U_Ceil: return at::ceil(x);
    case U_Round: return at::round(x);
    case U_Log1p: return at::log1p(x);
    case U_Expm1: return at::expm1(x);
    case U_Sin: return at::sin(x);
    case U_Cos: return at::cos(x);
    case U_Reciprocal: return at::reciprocal(x);
    case U_LogicalNot: return at::logical_not(x);
    case U_IsNan: return at::isnan(x);
    case U_Erf: return at::erf(x);
    case U_Elu: return at::elu(x);
    case U_Relu6: return at::clamp(x, 0, 6);
    case U_IsInf: return at::isinf(x);
    case U_IsFinite: return at::isfinite(x);
    case U_Selu: return at::selu(x);
    case U_Tan: return at::tan(x);
    case U_Asin: return at::asin(x);
    case U_Acos: return at::acos(x);
    case U_Atan: return at::atan(x);
    case U_Sinh: return at::sinh(x);
    case U_Cosh: return at::cosh(x);
    case U_Asinh: return at::asinh(x);
    case U_Acosh: return at::acosh(x);
    case U_Atanh: return at::atanh(x);
  }
  throw JsError{"native: unknown unary op " + std::to_string(op)};
}

// unary(op, x, outDtype)
FN(unary) { BODY({ return ret(env, unaryOp(a.i32(0), a.t(1)), a.i32(2)); }) }

at::Tensor binaryOp(int op, const at::Tensor& x, const at::Tensor& y) {
  switch (op) {
    case B_Add: return at::add(x, y);
    case B_Sub: return at::sub(x, y);
    case B_Multiply: return at::mul(x, y);
    case B_RealDiv: return at::div(x, y);
    case B_FloorDiv: return at::div(x, y, "floor");
    case B_Maximum: return at::maximum(x, y);
    case B_Minimum: return at::minimum(x, y);
    case B_Pow: return at::pow(x, y);
    case B_SquaredDifference: {
      auto d = at::sub(x, y);
      return d.mul_(d);
    }
    case B_Equal: return at::eq(x, y);
    case B_NotEqual: return at::ne(x, y);
    case B_Less: return at::lt(x, y);
    case B_LessEqual: return at::le(x, y);
    case B_Greater: return at::gt(x, y);
    case B_GreaterEqual: return at::ge(x, y);
    case B_LogicalAnd: return at::logical_and(x, y);
    case B_LogicalOr: return at::logical_or(x, y);
    case B_Mod: return at::remainder(x, y);
    case B_Atan2: return at::atan2(x, y);
    case B_LogicalXor: return at::logical_xor(x, y);
  }
  throw JsError{"native: unknown binary op " + std::to_string(op)};
}

// binary(op, a, b, outDtype)
FN(binary) { BODY({ return ret(env, binaryOp(a.i32(0), a.t(1), a.t(2)), a.i32(3)); }) }

// binaryScalar(op, a, scalarValue, outDtype): the TF.js op had a scalar constant (avoids a write per constant)
FN(binaryScalar) {
  BODY({
    const auto& x = a.t(1);
    auto s = at::scalar_tensor(a.f64(2), at::TensorOptions().dtype(x.scalar_type()).device(x.device()));
    return ret(env, binaryOp(a.i32(0), x, s), a.i32(3));
  })
}

// ---- reductions ----
// reduce(op, x, axes, keepDims, outDtype)
FN(reduce) {
  BODY({
    int op = a.i32(0);
    const auto& x = a.t(1);
    auto axes = a.ints(2);
    bool keep = a.b(3);
    int code = a.i32(4);
    if (axes.empty() && op != R_ArgMax && op != R_ArgMin) return ret(env, x.clone(), code);  // ATen would reduce all
    at::Tensor r;
    switch (op) {
      case R_Sum: r = code == 0 ? at::sum(x, axes, keep, at::kFloat) : at::sum(x, axes, keep, at::kLong); break;
      case R_Mean: r = at::mean(x.scalar_type() == at::kFloat ? x : x.to(at::kFloat), axes, keep); break;
      // TF.js gives NaN for the max/min over an empty axis; ATen refuses
      case R_Max: r = x.numel() == 0 ? x.sum(axes, keep).fill_(NAN) : at::amax(x, axes, keep); break;
      case R_Min: r = x.numel() == 0 ? x.sum(axes, keep).fill_(NAN) : at::amin(x, axes, keep); break;
      case R_Prod: {
        r = x;
        std::vector<int64_t> s = axes;
        std::sort(s.rbegin(), s.rend());
        for (auto d : s) r = at::prod(r, d, keep, code == 0 ? at::kFloat : at::kLong);
        break;
      }
      case R_Any: {
        r = x.to(at::kBool);
        std::vector<int64_t> s = axes;
        std::sort(s.rbegin(), s.rend());
        for (auto d : s) r = at::any(r, d, keep);
        break;
      }
      case R_All: {
        r = x.to(at::kBool);
        std::vector<int64_t> s = axes;
        std::sort(s.rbegin(), s.rend());
        for (auto d : s) r = at::all(r, d, keep);
        break;
      }
      case R_ArgMax: r = at::argmax(x, axes.at(0), keep); break;
      case R_ArgMin: r = at::argmin(x, axes.at(0), keep); break;
      default: throw JsError{"native: unknown reduction " + std::to_string(op)};
    }
    return ret(env, r, code);
  })
}

// ---- shape and data movement ----
FN(reshape) { BODY({ return ret(env, a.t(0).reshape(a.ints(1)), -1); }) }
// transpose(x, perm): a strided view (libtorch copies lazily where an op needs contiguity)
FN(transpose) { BODY({ return ret(env, a.t(0).permute(a.ints(1)), -1); }) }
FN(contiguous) { BODY({ return ret(env, a.t(0).contiguous(), -1); }) }
// slice(x, begin, size): size already resolved (no −1)
FN(slice) {
  BODY({
    at::Tensor r = a.t(0);
    auto begin = a.ints(1), size = a.ints(2);
    for (size_t d = 0; d < begin.size(); d++)
      if (begin[d] != 0 || size[d] != r.size(d)) r = r.narrow(d, begin[d], size[d]);
    return ret(env, r, -1);
  })
}
// stridedSlice(x, begin, end, strides): normalised in JS (positive strides only, no new/shrink axes)
FN(stridedSlice) {
  BODY({
    at::Tensor r = a.t(0);
    auto b = a.ints(1), e = a.ints(2), s = a.ints(3);
    for (size_t d = 0; d < b.size(); d++) r = r.slice(d, b[d], e[d], s[d]);
    return ret(env, r, -1);
  })
}
FN(concat) { BODY({ return ret(env, at::cat(a.tensors(0), a.i32(1)), -1); }) }
FN(stack) { BODY({ return ret(env, at::stack(a.tensors(0), a.i32(1)), -1); }) }
FN(unstack) { BODY({ return retList(env, at::unbind(a.t(0), a.i32(1)), -1); }) }
FN(split) { BODY({ return retList(env, at::split_with_sizes(a.t(0), a.ints(1), a.i32(2)), -1); }) }
FN(cast) { BODY({ return ret(env, a.t(0).to(dtypeOf(a.i32(1))), -1); }) }
FN(clone) { BODY({ return ret(env, a.t(0), -1); }) }  // a second handle to the same tensor (alias)
FN(broadcastTo) { BODY({ return ret(env, a.t(0).expand(a.ints(1)), -1); }) }
FN(tile) { BODY({ return ret(env, a.t(0).repeat(a.ints(1)), -1); }) }
FN(reverse) { BODY({ return ret(env, at::flip(a.t(0), a.ints(1)), -1); }) }
// pad(x, [before0, after0, before1, ...], value)
FN(pad) {
  BODY({
    auto p = a.ints(1);
    std::vector<int64_t> q;  // ATen wants the last dimension first
    for (size_t d = p.size() / 2; d-- > 0;) q.push_back(p[2 * d]), q.push_back(p[2 * d + 1]);
    return ret(env, at::constant_pad_nd(a.t(0), q, a.f64(2)), -1);
  })
}
// fill(shape, value, dtype)
FN(fill) {
  BODY({
    int code = a.i32(2);
    return ret(env, at::full(a.ints(0), a.f64(1), at::TensorOptions().dtype(dtypeOf(code)).device(g_device)), code);
  })
}
// oneHot(indices, depth, on, off, dtype): out-of-range indices give an all-off row (as in TF.js)
FN(oneHot) {
  BODY({
    const auto& idx = a.t(0);
    int64_t depth = a.i32(1);
    double on = a.f64(2), off = a.f64(3);
    int code = a.i32(4);
    auto ar = at::arange(depth, at::TensorOptions().dtype(at::kInt).device(idx.device()));
    auto m = at::eq(idx.to(at::kInt).unsqueeze(-1), ar);
    at::Tensor r;
    if (on == 1 && off == 0) r = m.to(dtypeOf(code));
    else r = at::where(m, at::scalar_tensor(on, idx.device()).to(dtypeOf(code)), at::scalar_tensor(off, idx.device()).to(dtypeOf(code)));
    return ret(env, r, code);
  })
}
// select(cond, t, e, outDtype)
FN(select) { BODY({ return ret(env, at::where(a.t(0).to(at::kBool), a.t(1), a.t(2)), a.i32(3)); }) }
FN(clip) { BODY({ return ret(env, at::clamp(a.t(0), a.f64(1), a.f64(2)), -1); }) }
FN(addN) {
  BODY({
    auto ts = a.tensors(0);
    at::Tensor r = ts.at(0).clone();
    for (size_t i = 1; i < ts.size(); i++) r.add_(ts[i]);
    return ret(env, r, -1);
  })
}
// gather(x, indices, axis, batchDims=0)
FN(gather) {
  BODY({
    const auto& x = a.t(0);
    const auto& idx = a.t(1);
    int64_t axis = a.i32(2);
    auto flat = idx.reshape({-1}).to(at::kLong);
    auto r = at::index_select(x, axis, flat);
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
    for (auto s : idx.sizes()) shape.push_back(s);
    for (int64_t d = axis + 1; d < x.dim(); d++) shape.push_back(x.size(d));
    return ret(env, r.reshape(shape), -1);
  })
}
// unsortedSegmentSum(x, segmentIds, numSegments)
FN(segmentSum) {
  BODY({
    const auto& x = a.t(0);
    const auto& ids = a.t(1);
    int64_t n = a.i32(2);
    std::vector<int64_t> shape{n};
    for (int64_t d = ids.dim(); d < x.dim(); d++) shape.push_back(x.size(d));
    auto out = at::zeros(shape, x.options());
    auto flatIds = ids.reshape({-1}).to(at::kLong);
    auto xs = x.reshape({flatIds.size(0), -1});
    auto o2 = out.view({n, -1});
    auto valid = (flatIds >= 0) & (flatIds < n);
    if (!valid.all().item<bool>()) {
      auto keep = valid.nonzero().squeeze(1);
      o2.index_add_(0, flatIds.index_select(0, keep), xs.index_select(0, keep));
    } else
      o2.index_add_(0, flatIds, xs);
    return ret(env, out, -1);
  })
}

// ---- matmul, softmax, fused ----
// [..,M,K]·[..,K,N] with broadcast batch dims, for matmul and fusedMatmul: a 2-D product through rowTimes (BLAS gemv
// for one row), equal batches through bmm, anything else through ATen's matmul
at::Tensor matmulOf(at::Tensor x, at::Tensor y, bool transposeA, bool transposeB) {
  if (transposeA) x = x.transpose(-1, -2);
  if (transposeB) y = y.transpose(-1, -2);
  blasFor((double)x.size(-2) * x.size(-1) * y.size(-1));
  if (x.dim() == 2 && y.dim() == 2) return rowTimes(x, y, at::Tensor());
  if (x.dim() == 3 && y.dim() == 3 && x.size(0) == y.size(0)) return at::bmm(x, y);
  return at::matmul(x, y);
}
// matmul(a, b, transposeA, transposeB)
FN(matmul) { BODY({ return ret(env, matmulOf(a.t(0), a.t(1), a.b(2), a.b(3)), -1); }) }
// fusedMatmul(a, b, transA, transB, bias|0, act): act 0 none, 1 relu (native.ts sends every other activation to
// the CPU fallback)
FN(fusedMatmul) {
  BODY({
    at::Tensor r = matmulOf(a.t(0), a.t(1), a.b(2), a.b(3));
    if (uint32_t bias = a.u32(4)) r.add_(get(bias));
    if (a.i32(5) == 1) r.relu_();
    return ret(env, r, -1);
  })
}
FN(softmax) { BODY({ return ret(env, at::softmax(a.t(0), a.i32(1)), -1); }) }
FN(logSoftmax) { BODY({ return ret(env, at::log_softmax(a.t(0), a.i32(1)), -1); }) }

// layerNorm(x, g, b, eps) → [y, mean, rstd] over the last axis (mean/rstd keep dims, for the gradient)
FN(layerNorm) {
  BODY({
    const auto& x = a.t(0);
    const auto& g = a.t(1);
    const auto& b = a.t(2);
    double eps = a.f64(3);
    int64_t C = x.size(-1);
    auto shp = x.sizes().vec();
    shp.back() = 1;
    // a few rows (decoding one token): plain loops; native_layer_norm's dispatch costs more than the arithmetic.
    // Same maths (biased variance, rstd = 1/√(var + eps)), accumulated in double
    if (x.numel() > 0 && x.numel() <= 1024 && x.device().is_cpu() && x.scalar_type() == at::kFloat && g.scalar_type() == at::kFloat &&
        b.scalar_type() == at::kFloat && g.numel() == C && b.numel() == C) {
      auto xc = x.contiguous(), gc = g.contiguous(), bc = b.contiguous();
      int64_t rows = xc.numel() / C;
      auto y = at::empty_like(xc), mean = at::empty(shp, xc.options()), rstd = at::empty(shp, xc.options());
      const float *xp = xc.data_ptr<float>(), *gp = gc.data_ptr<float>(), *bp = bc.data_ptr<float>();
      float *yp = y.data_ptr<float>(), *mp = mean.data_ptr<float>(), *rp = rstd.data_ptr<float>();
      for (int64_t r = 0; r < rows; r++) {
        const float* xr = xp + r * C;
        double m = 0, v = 0;
        for (int64_t c = 0; c < C; c++) m += xr[c];
        m /= (double)C;
        for (int64_t c = 0; c < C; c++) v += (xr[c] - m) * (xr[c] - m);
        float mf = (float)m, rs = (float)(1.0 / std::sqrt(v / (double)C + eps));
        for (int64_t c = 0; c < C; c++) yp[r * C + c] = (xr[c] - mf) * rs * gp[c] + bp[c];
        mp[r] = mf;
        rp[r] = rs;
      }
      return retList(env, {y, mean, rstd}, -1);
    }
    auto res = at::native_layer_norm(x, {C}, g.reshape({C}), b.reshape({C}), eps);
    return retList(env, {std::get<0>(res), std::get<1>(res).reshape(shp), std::get<2>(res).reshape(shp)}, -1);
  })
}
// layerNormGrad(dy, x, mean, rstd, g) → [dx, dg, db]
FN(layerNormGrad) {
  BODY({
    const auto& dy = a.t(0);
    const auto& x = a.t(1);
    const auto& mean = a.t(2);
    const auto& rstd = a.t(3);
    const auto& g = a.t(4);
    int64_t C = x.size(-1);
    auto res = at::native_layer_norm_backward(dy.contiguous(), x.contiguous(), {C}, mean, rstd, g.reshape({C}),
                                              at::ones({C}, x.options()), {true, true, true});
    return retList(env, {std::get<0>(res), std::get<1>(res), std::get<2>(res)}, -1);
  })
}
// gelu(x) (tanh approximation) and its gradient
FN(gelu) { BODY({ return ret(env, at::gelu(a.t(0), "tanh"), -1); }) }
FN(geluGrad) { BODY({ return ret(env, at::gelu_backward(a.t(0), a.t(1), "tanh"), -1); }) }
// softmaxGrad(dy, y, dim)
FN(softmaxGrad) { BODY({ return ret(env, at::_softmax_backward_data(a.t(0), a.t(1), a.i32(2), at::kFloat), -1); }) }

// adamw(p, g, m, v, lr, b1, b2, eps, wd, bc1, bc2) → [p', m', v'] (src/train/adamw.ts's update in one pass;
// each float32 operation in the same order as the composed TF.js update)
FN(adamw) {
  BODY({
    auto p = a.t(0).contiguous(), g = a.t(1).contiguous(), m = a.t(2).contiguous(), v = a.t(3).contiguous();
    float lr = (float)a.f64(4), b1 = (float)a.f64(5), b2 = (float)a.f64(6), eps = (float)a.f64(7), wd = (float)a.f64(8),
          bc1 = (float)a.f64(9), bc2 = (float)a.f64(10);
    if (p.scalar_type() != at::kFloat || g.scalar_type() != at::kFloat || p.device() != at::kCPU) {
      auto m2 = at::add(at::mul(m, b1), g, 1 - b1);
      auto v2 = at::mul(v, b2).addcmul_(g, g, 1 - b2);
      auto upd = at::div(m2, bc1).div_(at::div(v2, bc2).sqrt_().add_(eps));
      auto p2 = wd > 0 ? at::mul(p, 1 - lr * wd) : p.clone();
      p2.sub_(upd, lr);
      return retList(env, {p2, m2, v2}, -1);
    }
    auto p2 = at::empty_like(p), m2 = at::empty_like(m), v2 = at::empty_like(v);
    const float *pp = p.data_ptr<float>(), *gp = g.data_ptr<float>(), *mp = m.data_ptr<float>(), *vp = v.data_ptr<float>();
    float *po = p2.data_ptr<float>(), *mo = m2.data_ptr<float>(), *vo = v2.data_ptr<float>();
    const float c1 = 1 - b1, c2 = 1 - b2, decay = 1 - lr * wd;
    at::parallel_for(0, p.numel(), 16384, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) {
        float gi = gp[i];
        float mi = mp[i] * b1 + gi * c1;
        float vi = vp[i] * b2 + (gi * gi) * c2;
        float upd = (mi / bc1) / (std::sqrt(vi / bc2) + eps);
        float pi = wd > 0 ? pp[i] * decay : pp[i];
        po[i] = pi - upd * lr;
        mo[i] = mi;
        vo[i] = vi;
      }
    });
    return retList(env, {p2, m2, v2}, -1);
  })
}

// sumSquares([g...]) → scalar Σ g² over every tensor (global-norm clipping)
FN(sumSquares) {
  BODY({
    auto ts = a.tensors(0);
    at::Tensor acc = at::zeros({}, at::TensorOptions().dtype(at::kFloat).device(g_device));
    for (auto& t : ts) acc.add_(t.mul(t).sum());
    return ret(env, acc, -1);
  })
}
// scaleAll([g...], s) → [g·s ...] with s a scalar tensor
FN(scaleAll) {
  BODY({
    auto ts = a.tensors(0);
    const auto& s = a.t(1);
    std::vector<at::Tensor> out;
    out.reserve(ts.size());
    for (auto& t : ts) out.push_back(at::mul(t, s));
    return retList(env, out, -1);
  })
}

// linear(x [..,K], w [K,N], b [N] | 0) → [..,N]: one addmm on the flattened rows (gemv for one row)
FN(linear) {
  BODY({
    const auto& x = a.t(0);
    const auto& w = a.t(1);
    uint32_t hb = a.u32(2);
    int64_t K = w.size(0), Nn = w.size(1);
    auto x2 = x.reshape({-1, K});
    blasFor((double)x2.size(0) * K * Nn);
    auto y = rowTimes(x2, w, hb ? get(hb) : at::Tensor());
    auto shape = x.sizes().vec();
    shape.back() = Nn;
    return ret(env, y.view(shape), -1);
  })
}
// linearGrad(dy, x, w) → [dx, dw, db]
FN(linearGrad) {
  BODY({
    const auto& dy = a.t(0);
    const auto& x = a.t(1);
    const auto& w = a.t(2);
    int64_t K = w.size(0), Nn = w.size(1);
    auto dy2 = dy.reshape({-1, Nn});
    auto x2 = x.reshape({-1, K});
    blasFor((double)x2.size(0) * K * Nn);
    auto dx = at::mm(dy2, w.t()).view(x.sizes());
    auto dw = at::mm(x2.t(), dy2);
    auto db = dy2.sum(0);
    return retList(env, {dx, dw, db}, -1);
  })
}

// attention(q [BH,T,hd], k [BH,S,hd], v [BH,S,hd], scale, past) → [y [BH,T,hd], att [BH,T,S]]
// causal: query t (absolute position past+t) sees keys j ≤ past+t
at::Tensor causalMask(int64_t T, int64_t S, int64_t past, const at::TensorOptions& o) {
  auto j = at::arange(S, o.dtype(at::kLong)).view({1, S});
  auto i = at::arange(T, o.dtype(at::kLong)).view({T, 1}).add_(past);
  return j.gt(i);  // true where masked
}
FN(attention) {
  BODY({
    const auto& q = a.t(0);
    const auto& k = a.t(1);
    const auto& v = a.t(2);
    double scale = a.f64(3);
    int64_t past = a.i32(4);
    int64_t T = q.size(1), S = k.size(1);
    blasFor((double)T * S * q.size(2));
    auto s = at::bmm(q, k.transpose(1, 2)).mul_(scale);
    if (T > 1) s.masked_fill_(causalMask(T, S, past, q.options()), -1e9);
    auto att = at::softmax(s, -1);
    auto y = at::bmm(att, v);
    return retList(env, {y, att}, -1);
  })
}
// attentionGrad(dy, q, k, v, att, scale) → [dq, dk, dv]
FN(attentionGrad) {
  BODY({
    const auto& dy = a.t(0);
    const auto& q = a.t(1);
    const auto& k = a.t(2);
    const auto& v = a.t(3);
    const auto& att = a.t(4);
    double scale = a.f64(5);
    blasFor((double)q.size(1) * k.size(1) * q.size(2));
    auto dv = at::bmm(att.transpose(1, 2), dy);
    auto datt = at::bmm(dy, v.transpose(1, 2));
    auto ds = at::_softmax_backward_data(datt, att, -1, at::kFloat).mul_(scale);
    auto dq = at::bmm(ds, k);
    auto dk = at::bmm(ds.transpose(1, 2), q);
    return retList(env, {dq, dk, dv}, -1);
  })
}

// kvAttention(x [B,T,C], wq, bq, wk, bk, wv, bv, kc [B*H,Smax,hd], vc, nHead, past, scale) → y [B,T,C]
// Cached self-attention for decoding, in one call: q/k/v projections of x, this call's keys/values written IN PLACE
// into rows past..past+T-1 of the preallocated caches kc/vc (head-major, as the model's [B*H,T,hd] heads), causal
// softmax attention of the T queries over keys 0..past+T-1, heads merged back to [B,T,C]. Inference only (no
// gradient). One token (T = 1) runs as plain loops over the cache: at this size ATen's bmm/softmax/bmm cost several
// times the arithmetic.
FN(kvAttention) {
  BODY({
    a.need(12);
    const auto& x = a.t(0);
    at::Tensor kc = a.t(7), vc = a.t(8);
    int64_t H = a.i32(9), past = a.i32(10);
    double scale = a.f64(11);
    if (x.dim() != 3) throw JsError{"native: kvAttention: x must be [B,T,C]"};
    int64_t B = x.size(0), T = x.size(1), C = x.size(2);
    if (H <= 0 || C % H) throw JsError{"native: kvAttention: n_head must divide C"};
    int64_t hd = C / H, S = past + T;
    if (kc.dim() != 3 || kc.size(0) != B * H || kc.size(2) != hd || !kc.sizes().equals(vc.sizes()))
      throw JsError{"native: kvAttention: caches must be [B*H, Smax, hd]"};
    int64_t Smax = kc.size(1);
    if (past < 0 || S > Smax) throw JsError{"native: kvAttention: positions past the cache's length"};
    if (!kc.is_contiguous() || !vc.is_contiguous() || kc.scalar_type() != at::kFloat || vc.scalar_type() != at::kFloat)
      throw JsError{"native: kvAttention: caches must be contiguous float32"};
    auto x2 = x.reshape({B * T, C});
    blasFor((double)B * T * C * C);
    auto q = rowTimes(x2, a.t(1), a.t(2)), k = rowTimes(x2, a.t(3), a.t(4)), v = rowTimes(x2, a.t(5), a.t(6));  // [B*T,C]
    if (T == 1 && kc.device().is_cpu() && q.scalar_type() == at::kFloat) {
      auto y = at::empty({B, 1, C}, x.options());
      auto qc = q.contiguous(), kn = k.contiguous(), vn = v.contiguous();
      // this token's key/value of head h → cache row past of block (b, h)
      for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++) {
          int64_t at_ = ((b * H + h) * Smax + past) * hd;
          std::memcpy(kc.data_ptr<float>() + at_, kn.data_ptr<float>() + b * C + h * hd, hd * sizeof(float));
          std::memcpy(vc.data_ptr<float>() + at_, vn.data_ptr<float>() + b * C + h * hd, hd * sizeof(float));
        }
      const float* qp = qc.data_ptr<float>();
      const float* kp = kc.data_ptr<float>();
      const float* vp = vc.data_ptr<float>();
      float* yp = y.data_ptr<float>();
      std::vector<float> p(S);
      for (int64_t b = 0; b < B; b++)
        for (int64_t h = 0; h < H; h++) {
          const float* qr = qp + b * C + h * hd;
          const float* kb = kp + (b * H + h) * Smax * hd;
          const float* vb = vp + (b * H + h) * Smax * hd;
          // four keys at a time: four independent sums, each still accumulated over e in order (the same float
          // operations as one key at a time, without waiting on one long dependency chain)
          int64_t j = 0;
          for (; j + 4 <= S; j += 4) {
            const float *k0 = kb + j * hd, *k1 = k0 + hd, *k2 = k1 + hd, *k3 = k2 + hd;
            float d0 = 0, d1 = 0, d2 = 0, d3 = 0;
            for (int64_t e = 0; e < hd; e++) {
              float qe = qr[e];
              d0 += qe * k0[e];
              d1 += qe * k1[e];
              d2 += qe * k2[e];
              d3 += qe * k3[e];
            }
            p[j] = d0 * (float)scale;
            p[j + 1] = d1 * (float)scale;
            p[j + 2] = d2 * (float)scale;
            p[j + 3] = d3 * (float)scale;
          }
          for (; j < S; j++) {
            float d = 0;
            for (int64_t e = 0; e < hd; e++) d += qr[e] * kb[j * hd + e];
            p[j] = d * (float)scale;
          }
          float mx = -INFINITY;
          for (int64_t i = 0; i < S; i++) mx = std::max(mx, p[i]);
          float z = 0;
          for (int64_t j = 0; j < S; j++) z += (p[j] = std::exp(p[j] - mx));
          float* yr = yp + b * C + h * hd;
          for (int64_t e = 0; e < hd; e++) yr[e] = 0;
          for (int64_t j = 0; j < S; j++) {
            float w = p[j] / z;
            for (int64_t e = 0; e < hd; e++) yr[e] += w * vb[j * hd + e];
          }
        }
      return ret(env, y, -1);
    }
    // write into the caches: [B*T,C] → [B,H,T,hd] at rows past..S-1
    kc.view({B, H, Smax, hd}).narrow(2, past, T).copy_(k.view({B, T, H, hd}).permute({0, 2, 1, 3}));
    vc.view({B, H, Smax, hd}).narrow(2, past, T).copy_(v.view({B, T, H, hd}).permute({0, 2, 1, 3}));
    auto qh = q.view({B, T, H, hd}).permute({0, 2, 1, 3}).reshape({B * H, T, hd});
    auto ks = kc.narrow(1, 0, S), vs = vc.narrow(1, 0, S);
    auto s = at::bmm(qh, ks.transpose(1, 2)).mul_(scale);
    if (T > 1) s.masked_fill_(causalMask(T, S, past, q.options()), -1e9);
    auto yh = at::bmm(at::softmax(s, -1), vs);  // [B*H,T,hd]
    return ret(env, yh.view({B, H, T, hd}).permute({0, 2, 1, 3}).reshape({B, T, C}), -1);
  })
}

// ---- configuration ----
typedef int (*openblas_get_t)();

void setBlasThreads(int n) {
  g_openblas_set = (openblas_set_t)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (g_openblas_set) g_openblas_set(n), g_blas_threads = n, g_blas_max = n, g_blas_now = n;
}
int getBlasThreads() {
  auto get = (openblas_get_t)dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  return get ? get() : -1;
}

// setThreads(aten, blas)
FN(setThreads) {
  BODY({
    int n = a.i32(0), b = a.i32(1);
    if (n > 0) at::set_num_threads(n);
    if (b > 0) setBlasThreads(b);
    return nullptr;
  })
}

FN(info) {
  BODY({
    napi_value o;
    napi_create_object(env, &o);
    auto setS = [&](const char* k, const std::string& v) {
      napi_value s;
      napi_create_string_utf8(env, v.c_str(), v.size(), &s);
      napi_set_named_property(env, o, k, s);
    };
    auto setN = [&](const char* k, double v) { napi_set_named_property(env, o, k, num(env, v)); };
    setS("torch", TORCH_VERSION);
    setN("atenThreads", at::get_num_threads());
    setN("interopThreads", at::get_num_interop_threads());
    setN("blasThreads", getBlasThreads());
    setS("device", g_device.str());
    setN("cudaAvailable", at::hasCUDA() ? 1 : 0);
    setS("parallel", at::get_parallel_info());
    auto cfg = at::show_config();
    setS("config", cfg);
    auto blasGet = dlsym(RTLD_DEFAULT, "openblas_get_config");
    if (blasGet) setS("blas", ((char* (*)())blasGet)());
    else setS("blas", "unknown");
    // the kernel set OpenBLAS dispatched to (OPENBLAS_CORETYPE pins it; src/model/float.ts)
    auto coreGet = dlsym(RTLD_DEFAULT, "openblas_get_corename");
    setS("blasCore", coreGet ? ((char* (*)())coreGet)() : "unknown");
    Dl_info dli;
    if (dladdr((void*)&at::set_num_threads, &dli) && dli.dli_fname) setS("library", dli.dli_fname);
    return o;
  })
}

// setDevice("cpu" | "cuda" | "cuda:N")
FN(setDevice) {
  BODY({
    size_t n;
    char buf[64];
    NAPI_OK(napi_get_value_string_utf8(env, a.argv[0], buf, sizeof buf, &n));
    at::Device d{std::string(buf)};
    if (d.is_cuda() && !at::hasCUDA()) throw JsError{"native: this libtorch has no CUDA support"};
    g_device = d;
    return nullptr;
  })
}

// ---- vector kernels over JS typed arrays (no tensors): the gradient combine's float64 sums ----
// Each keeps the JS reference's exact order of float64 operations (src/util/vector_kernels.ts), so results are
// bit-identical on either path; they are faster because one pass carries every chain at once (the JS dot is bound by
// the latency of its one accumulator) and the loops compile to SIMD across independent lanes. -ffp-contract=off
// (binding.gyp) keeps c·g + acc from fusing: c·g is not exact in float64.

template <typename T>
static T* typedData(napi_env env, napi_value v, napi_typedarray_type want, size_t* len, const char* what) {
  napi_typedarray_type tt;
  void* data;
  napi_value ab;
  size_t off;
  bool is;
  NAPI_OK(napi_is_typedarray(env, v, &is));
  if (!is) throw JsError{std::string("native: ") + what + ": expected a typed array"};
  NAPI_OK(napi_get_typedarray_info(env, v, &tt, len, &data, &ab, &off));
  if (tt != want) throw JsError{std::string("native: ") + what + ": wrong typed array kind"};
  return static_cast<T*>(data);
}

static std::vector<const float*> floatList(napi_env env, napi_value arr, size_t* n, const char* what) {
  uint32_t T;
  NAPI_OK(napi_get_array_length(env, arr, &T));
  std::vector<const float*> out(T);
  for (uint32_t k = 0; k < T; k++) {
    napi_value e;
    NAPI_OK(napi_get_element(env, arr, k, &e));
    size_t len;
    out[k] = typedData<float>(env, e, napi_float32_array, &len, what);
    if (k == 0) *n = len;
    else if (len != *n) throw JsError{std::string("native: ") + what + ": vectors differ in length"};
  }
  if (T == 0) *n = 0;
  return out;
}

// one pass, every pair i ≤ j: acc[i·T + j] += Σ_k v_i[k]·v_j[k], summed in k order from acc's value (float32·float32
// is exact in float64, so the order of the adds is all that matters)
template <int T>
static void dotsFixed(const float* const* v, size_t n, double* acc) {
  // one named-in-registers sum per pair: the loops are fully unrolled, so s[] never touches memory inside the k loop
  constexpr int P = T * (T + 1) / 2;
  double s[P];
  int p = 0;
#pragma GCC unroll 64
  for (int i = 0; i < T; i++)
#pragma GCC unroll 64
    for (int j = i; j < T; j++) s[p++] = acc[i * T + j];
  for (size_t k = 0; k < n; k++) {
    double x[T];
#pragma GCC unroll 64
    for (int i = 0; i < T; i++) x[i] = v[i][k];
    int q = 0;
#pragma GCC unroll 64
    for (int i = 0; i < T; i++)
#pragma GCC unroll 64
      for (int j = i; j < T; j++) s[q++] += x[i] * x[j];
  }
  p = 0;
#pragma GCC unroll 64
  for (int i = 0; i < T; i++)
#pragma GCC unroll 64
    for (int j = i; j < T; j++) acc[i * T + j] = s[p++];
}

// dotsInto([v…] Float32Array, acc Float64Array(T·T)): the upper triangle of acc accumulates the pairwise dots
FN(dotsInto) {
  BODY({
    a.need(2);
    size_t n, accLen;
    auto v = floatList(env, a.argv[0], &n, "dotsInto");
    double* acc = typedData<double>(env, a.argv[1], napi_float64_array, &accLen, "dotsInto");
    const size_t T = v.size();
    if (accLen != T * T) throw JsError{"native: dotsInto: acc must hold T·T values"};
    switch (T) {
      case 1: dotsFixed<1>(v.data(), n, acc); break;
      case 2: dotsFixed<2>(v.data(), n, acc); break;
      case 3: dotsFixed<3>(v.data(), n, acc); break;
      case 4: dotsFixed<4>(v.data(), n, acc); break;
      case 5: dotsFixed<5>(v.data(), n, acc); break;
      case 6: dotsFixed<6>(v.data(), n, acc); break;
      default:
        for (size_t i = 0; i < T; i++)
          for (size_t j = i; j < T; j++) {
            double s = acc[i * T + j];
            for (size_t k = 0; k < n; k++) s += (double)v[i][k] * (double)v[j][k];
            acc[i * T + j] = s;
          }
    }
    return nullptr;
  })
}

// combineInto([g…] Float32Array, coef Float64Array, out Float32Array): out[k] = float32(Σ_c coef_c·g_c[k]), the sum
// from 0 in capability order, skipping zero coefficients (as src/weighting/combination.ts linearCombination)
FN(combineInto) {
  BODY({
    a.need(3);
    size_t n, cl, on;
    auto g = floatList(env, a.argv[0], &n, "combineInto");
    const double* coef = typedData<double>(env, a.argv[1], napi_float64_array, &cl, "combineInto");
    float* out = typedData<float>(env, a.argv[2], napi_float32_array, &on, "combineInto");
    if (cl != g.size()) throw JsError{"native: combineInto: one coefficient per vector"};
    if (on != n) throw JsError{"native: combineInto: out differs in length"};
    std::vector<const float*> gs;
    std::vector<double> cs;
    for (size_t c = 0; c < g.size(); c++)
      if (coef[c] != 0) gs.push_back(g[c]), cs.push_back(coef[c]);
    const size_t T = gs.size();
    for (size_t k = 0; k < n; k++) {
      double s = 0;
      for (size_t c = 0; c < T; c++) s += cs[c] * (double)gs[c][k];
      out[k] = (float)s;
    }
    return nullptr;
  })
}

// exp as JavaScript's Math.exp computes it in Node (V8's base/ieee754.cc, fdlibm's e_exp.c as FreeBSD's msun keeps
// it), so the native sampler draws exactly the tokens the JS sampler draws. glibc's exp rounds differently in the last
// bit for some inputs, and a last-bit change in one probability can move a sampled token.
static inline uint32_t hiWord(double x) {
  uint64_t b;
  std::memcpy(&b, &x, 8);
  return (uint32_t)(b >> 32);
}
static inline uint32_t loWord(double x) {
  uint64_t b;
  std::memcpy(&b, &x, 8);
  return (uint32_t)b;
}
static inline double fromWords(uint32_t hi, uint32_t lo) {
  uint64_t b = ((uint64_t)hi << 32) | lo;
  double x;
  std::memcpy(&x, &b, 8);
  return x;
}
static double jsExp(double x) {
  static const double one = 1.0, halF[2] = {0.5, -0.5}, o_threshold = 7.09782712893383973096e+02,
                      u_threshold = -7.45133219101941108420e+02,
                      ln2HI[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01},
                      ln2LO[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10},
                      invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
                      P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
                      P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08, E = 2.718281828459045;
  static volatile double huge = 1.0e+300, twom1000 = 9.33263618503218878990e-302, two1023 = 8.988465674311579539e307;
  double y, hi = 0.0, lo = 0.0, c, t, twopk;
  int32_t k = 0, xsb;
  uint32_t hx = hiWord(x);
  xsb = (hx >> 31) & 1;
  hx &= 0x7FFFFFFF;
  if (hx >= 0x40862E42) {
    if (hx >= 0x7FF00000) {
      if (((hx & 0xFFFFF) | loWord(x)) != 0) return x + x;
      return (xsb == 0) ? x : 0.0;
    }
    if (x > o_threshold) return huge * huge;
    if (x < u_threshold) return twom1000 * twom1000;
  }
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (x == 1.0) return E;
      hi = x - ln2HI[xsb];
      lo = ln2LO[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = static_cast<int>(invln2 * x + halF[xsb]);
      t = k;
      hi = x - t * ln2HI[0];
      lo = t * ln2LO[0];
    }
    x = hi - lo;
  } else if (hx < 0x3E300000) {
    if (huge + x > one) return one + x;
  } else {
    k = 0;
  }
  t = x * x;
  if (k >= -1021) twopk = fromWords(0x3FF00000 + ((uint32_t)k << 20), 0);
  else twopk = fromWords(0x3FF00000 + ((uint32_t)(k + 1000) << 20), 0);
  c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return one - ((x * c) / (c - 2.0) - x);
  y = one - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * two1023;
    return y * twopk;
  }
  return y * twopk * twom1000;
}

// expInto(x Float64Array, out Float64Array): out = jsExp(x) (the tests compare it with Math.exp bit for bit)
FN(expInto) {
  BODY({
    a.need(2);
    size_t n, m;
    const double* x = typedData<double>(env, a.argv[0], napi_float64_array, &n, "expInto");
    double* out = typedData<double>(env, a.argv[1], napi_float64_array, &m, "expInto");
    if (m != n) throw JsError{"native: expInto: out differs in length"};
    for (size_t i = 0; i < n; i++) out[i] = jsExp(x[i]);
    return nullptr;
  })
}

// sampleRows(logits Float32Array [B·V], V, t, uniforms Float64Array [B], ids Int32Array [B], stats Float64Array [2B]):
// per row, the untruncated softmax(logits/t) draw of src/util/vector_kernels.ts (the same operations in the same
// order): max = max(l)/t, e_i = exp(l_i/t − max), z = Σ e_i, r = u·z, the first i where the running r − Σ e ≤ 0
// (else V−1); stats holds [max, z] for the row's log-prob
FN(sampleRows) {
  BODY({
    a.need(6);
    size_t n, B, nb, ns;
    const float* logits = typedData<float>(env, a.argv[0], napi_float32_array, &n, "sampleRows");
    const size_t V = a.u32(1);
    const double t = a.f64(2);
    const double* u = typedData<double>(env, a.argv[3], napi_float64_array, &B, "sampleRows");
    int32_t* ids = typedData<int32_t>(env, a.argv[4], napi_int32_array, &nb, "sampleRows");
    double* stats = typedData<double>(env, a.argv[5], napi_float64_array, &ns, "sampleRows");
    if (V == 0 || n != B * V || nb != B || ns != 2 * B) throw JsError{"native: sampleRows: sizes disagree"};
    std::vector<double> prob(V);
    for (size_t b = 0; b < B; b++) {
      const float* l = logits + b * V;
      double top = -INFINITY;
      for (size_t i = 0; i < V; i++)
        if (l[i] > top) top = l[i];
      const double max = top / t;
      double z = 0;
      for (size_t i = 0; i < V; i++) {
        const double e = jsExp((double)l[i] / t - max);
        prob[i] = e;
        z += e;
      }
      double r = u[b] * z;
      int32_t id = (int32_t)V - 1;
      for (size_t i = 0; i < V; i++) {
        r -= prob[i];
        if (r <= 0) {
          id = (int32_t)i;
          break;
        }
      }
      ids[b] = id;
      stats[2 * b] = max;
      stats[2 * b + 1] = z;
    }
    return nullptr;
  })
}

// seed-free smoke check: returns 1 when ATen works
FN(selfTest) {
  BODY({
    auto x = at::ones({2, 2});
    return num(env, at::mm(x, x).sum().item<float>());
  })
}

napi_value Init(napi_env env, napi_value exports) {
  // keep freed blocks in the heap (no mmap/munmap per large tensor): the step's allocation pattern repeats, so this
  // acts as a caching allocator without page faults on fresh pages
  g_sgemv = (cblas_sgemv_t)dlsym(RTLD_DEFAULT, "cblas_sgemv");
  mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_TOP_PAD, 64 * 1024 * 1024);
  struct {
    const char* n;
    napi_callback f;
  } fns[] = {
      {"write", write}, {"read", read}, {"dispose", dispose}, {"live", live}, {"shape", shape}, {"dtype", dtype},
      {"unary", unary}, {"binary", binary}, {"binaryScalar", binaryScalar}, {"reduce", reduce}, {"reshape", reshape},
      {"transpose", transpose}, {"contiguous", contiguous}, {"slice", slice}, {"stridedSlice", stridedSlice},
      {"concat", concat}, {"stack", stack}, {"unstack", unstack}, {"split", split}, {"cast", cast}, {"clone", clone},
      {"broadcastTo", broadcastTo}, {"tile", tile}, {"reverse", reverse}, {"pad", pad}, {"fill", fill},
      {"oneHot", oneHot}, {"select", select}, {"clip", clip}, {"addN", addN}, {"gather", gather},
      {"segmentSum", segmentSum}, {"matmul", matmul}, {"fusedMatmul", fusedMatmul}, {"softmax", softmax},
      {"logSoftmax", logSoftmax}, {"layerNorm", layerNorm}, {"layerNormGrad", layerNormGrad}, {"gelu", gelu},
      {"geluGrad", geluGrad}, {"softmaxGrad", softmaxGrad}, {"adamw", adamw}, {"sumSquares", sumSquares}, {"scaleAll", scaleAll}, {"linear", linear}, {"linearGrad", linearGrad}, {"attention", attention}, {"attentionGrad", attentionGrad}, {"kvAttention", kvAttention}, {"setThreads", setThreads}, {"info", info},
      {"setDevice", setDevice}, {"selfTest", selfTest}, {"dotsInto", dotsInto}, {"combineInto", combineInto}, {"expInto", expInto}, {"sampleRows", sampleRows},
  };
  for (auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.n, NAPI_AUTO_LENGTH, f.f, nullptr, &v);
    napi_set_named_property(env, exports, f.n, v);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
