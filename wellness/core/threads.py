"""Process-wide thread limits of the numerical libraries.

Scoring's vector work is short: on a machine whose cores are busy with other processes, OpenBLAS
threads spinning up for each dot product cost far more than they save. Applied once per process
at start-up (``WellnessConfig.ready``), with threadpoolctl so it holds whatever imported numpy
first.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def blas_threads_limit(threads: int) -> None:
    threadpool_limits(limits=threads, user_api="blas")
