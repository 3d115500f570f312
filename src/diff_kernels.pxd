"""The declarations of ``diff_kernels.h`` (schemes, element access per dtype, the C-objective loops),
cimported by ``diff.pyx`` and ``sparse.pyx``."""

cdef extern from "diff_kernels.h" nogil:
    enum:
        FD_MAX_POINTS
        FD_NAN_STATUS
        FD_AT_X
    ctypedef struct fd_scheme:
        int npoints
        double offsets[FD_MAX_POINTS]
        double weights[FD_MAX_POINTS]
        int widened[FD_MAX_POINTS]
        double centre_weight
        double denominator
        int imaginary
    enum:
        FD_F64
        FD_F32
    double fd_load(int type, const char* p)
    void fd_store(int type, char* p, double v)
    void fd_shift(int type, char* p, double v, double step, int widened)
    double fd_offset(int type, const char* p, double v)
    double fd_point(int type, double v, double step, int widened)
    void fd_descend(int type, char* x, const char* g, double lr)
    double fd_combine(const fd_scheme* s, const double* values, Py_ssize_t stride, double centre, double divisor)
    double fd_distance(const fd_scheme* s, int k, double distance, double moved)
    ctypedef struct fd_objective:
        void* fn
        void* user_data
        Py_ssize_t n
        Py_ssize_t m
        int wide_n
        int status
    ctypedef struct fd_c_task:
        const fd_objective* o
        const fd_scheme* s
        const double* h
        Py_ssize_t h_stride
        int exact
        double* centre
        double* out
        double* scratch
        const Py_ssize_t* elements
        Py_ssize_t count
        double* values
        Py_ssize_t values_stride
        const fd_scheme* inner
    ctypedef struct fd_progress:
        Py_ssize_t next
        Py_ssize_t failed
        int status
        Py_ssize_t batch
        Py_ssize_t since
        double looked
    double fd_seconds()
    void fd_c_elements(const fd_c_task* t, double* x, double* copies, int threads, Py_ssize_t n, Py_ssize_t chunk,
                       double deadline, fd_progress* p)
    int fd_c_begin(fd_c_task* t, double* x, double* copies, int threads, Py_ssize_t n, fd_progress* p)
    void fd_c_descend(fd_c_task* t, double* x, double* copies, int threads, Py_ssize_t n, Py_ssize_t chunk,
                      double lr, Py_ssize_t steps, double* history, double deadline, Py_ssize_t* step,
                      fd_progress* p)
