// Backends and the execution context every kernel and solver runs in.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace dynhat {

/// Where arrays live and kernels run.
enum class Backend { cpu, cuda };

/// "cpu" or "cuda"; anything else throws InvalidInput naming `what`.
Backend parse_backend(std::string_view name, std::string_view what = "backend");
std::string_view to_string(Backend backend) noexcept;

/// What crossed between a backend's memory and the host: the synchronising kernels of the list
/// (reductions whose result the host reads, device-to-host copies, whose bytes are counted, and
/// host-to-device copies, which wait for the backend but bring nothing back: 0 bytes). Counted on
/// both backends, so a CPU run counts the synchronisations the same calls make on a GPU.
struct HostTransfers {
  long synchronisations = 0;
  long bytes = 0;
  long largest = 0;  ///< bytes of the largest single transfer

  HostTransfers& operator+=(const HostTransfers& other) noexcept;
};

/// Number of usable CUDA devices; 0 without a driver, without a device, or in a CPU-only build.
int cuda_device_count() noexcept;
/// True when this library was built with the CUDA backend.
bool cuda_compiled() noexcept;
/// Name of CUDA device `device` ("" when there is no such device).
std::string cuda_device_name(int device = 0);

namespace detail {
struct CudaResources;  // stream and library handles; defined by the CUDA backend only
struct CudaResourcesDeleter {
  void operator()(CudaResources* resources) const noexcept;
};
}  // namespace detail

/// Execution context: a backend plus, for CUDA, one stream and the cuBLAS handle bound to it, on
/// one device. Every array a solver allocates lives on this context's backend. Not thread-safe;
/// create one context per host thread. A CUDA context makes its device the calling thread's
/// current one: a process uses one device (one MPI rank per GPU: device_for_rank()). Creating a
/// CUDA context without that device throws Error with a message that says so; in a CPU-only
/// build it throws NotCompiled. `device` is ignored on the CPU.
class Context {
 public:
  explicit Context(Backend backend = Backend::cpu, int device = 0);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  Context(Context&&) noexcept;
  Context& operator=(Context&&) noexcept;

  Backend backend() const noexcept { return backend_; }
  /// The CUDA device of a CUDA context; 0 on the CPU.
  int device() const noexcept { return device_; }
  /// Waits until every kernel queued on this context has finished.
  void synchronize() const;
  /// The CUDA stream and handles; nullptr on the CPU backend.
  detail::CudaResources* cuda() const noexcept { return cuda_.get(); }

 private:
  Backend backend_;
  int device_ = 0;
  std::unique_ptr<detail::CudaResources, detail::CudaResourcesDeleter> cuda_;
};

}  // namespace dynhat
