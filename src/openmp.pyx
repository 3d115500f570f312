"""What the OpenMP runtime says about threads: read by :mod:`fastgd._threads`, nothing else."""

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    static int fastgd_omp_max_threads(void) { return omp_get_max_threads(); }
    #define FASTGD_HAS_OPENMP 1
    #else
    static int fastgd_omp_max_threads(void) { return 1; }
    #define FASTGD_HAS_OPENMP 0
    #endif
    """
    int fastgd_omp_max_threads() nogil
    int FASTGD_HAS_OPENMP

HAS_OPENMP = bool(FASTGD_HAS_OPENMP)


def max_threads():
    """``omp_get_max_threads()``: follows ``OMP_NUM_THREADS`` and ``threadpoolctl``'s limits (1 without OpenMP)."""
    return fastgd_omp_max_threads()
