"""A cache-line prefetch hint for compiled loops (an LLVM intrinsic, via Numba).

``prefetch(arr, i)`` and ``prefetch2(arr, i, j)`` ask the CPU to start loading
the line that holds ``arr[i]`` / ``arr[i, j]``. They change no value: a hint for
an address that is never read again only costs a load slot. No bounds check is
made, and none is needed, since a prefetch never faults.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _codegen(context, builder, signature, args):  # noqa: ANN001, ANN202 - Numba's signature
    aryty = signature.args[0]
    ary = context.make_array(aryty)(context, builder, args[0])
    idx = [context.cast(builder, a, t, types.intp)
           for a, t in zip(args[1:], signature.args[1:], strict=True)]
    ptr = cgutils.get_item_pointer(context, builder, aryty, ary, idx, wraparound=False)
    i8p = ir.IntType(8).as_pointer()
    i32 = ir.IntType(32)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
    fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
    # read, keep in all cache levels, data cache
    builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
    return context.get_dummy_value()


@intrinsic
def prefetch(typingctx, arr, i):  # noqa: ANN001, ANN201 - Numba intrinsic signature
    """Hint the CPU to load the cache line holding ``arr[i]`` (1-d array)."""
    return types.void(arr, i), _codegen


@intrinsic
def prefetch2(typingctx, arr, i, j):  # noqa: ANN001, ANN201 - Numba intrinsic signature
    """Hint the CPU to load the cache line holding ``arr[i, j]`` (2-d array)."""
    return types.void(arr, i, j), _codegen
