"""NumPy helpers shared by the scoring modules: the float array type and cheap reductions."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

# The ufuncs' own reduce methods: ``a.sum()`` adds ~1 us of wrapper a call, about twenty a workout.
sum_ = np.add.reduce
max_ = np.maximum.reduce
min_ = np.minimum.reduce
any_ = np.logical_or.reduce
