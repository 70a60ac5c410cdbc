"""tf.data (TF1's DatasetV1 API): dataset ops with TF's op types, and the Dataset classes.

Each Dataset object builds its op (TensorSliceDataset, ParallelMapDatasetV2, BatchDatasetV2,
...) in the graph when it is created, as TF does; its output is a variant tensor whose value
at run time is a `runtime.DatasetValue`. Functions given to map/filter/flat_map/interleave are
traced ONCE into FuncGraphs (attr `f`/`predicate`), their captured tensors passed as
`other_arguments`.
"""
import numpy as np

from tensorweave.data import runtime
from tensorweave.framework import dtypes as dtypes_lib
from tensorweave.framework import registry, tensor_shape
from tensorweave.framework.registry import INT, TYPE_LIST, register_op
from tensorweave.ops import func_graph as fg_lib
from tensorweave.ops.data_flow_ops import handle_array

_S = tensor_shape.TensorShape
AUTOTUNE = -1
_int64 = dtypes_lib.int64


# ==================================================================== ops
def _variant_shape(op):
    return [_S([])]


def _ds_op(op_type, inputs, attrs, make, kernel_attrs_needed=True):
    """Registers a dataset op whose kernel returns handle_array(DatasetValue(make(...)))."""

    def factory(op, state):
        a = op._attrs

        def kernel(*args):
            return handle_array(runtime.DatasetValue(make(a, state, op, *args), state))

        return kernel

    register_op(op_type, inputs=inputs, outputs=["handle: variant"], attrs=attrs,
                shape_fn=_variant_shape, kernel_factory=factory, stateful=False)


_OUT = {"output_types": TYPE_LIST, "output_shapes": [], "metadata": ""}


def _u(h):
    return runtime._unwrap(h)


def _i(x):
    return int(np.asarray(x).reshape(()))


def _fn(a, state, key, captured):
    return runtime.FunctionRunner(a[key], captured, state)


_ds_op("TensorSliceDataset", ["components: Toutput_types"],
       {"Toutput_types": TYPE_LIST, "output_shapes": [], "is_files": False, "metadata": "",
        "replicate_on_split": False},
       lambda a, s, op, *c: runtime.tensor_slices([np.asarray(x) for x in c]))
_ds_op("TensorDataset", ["components: Toutput_types"],
       {"Toutput_types": TYPE_LIST, "output_shapes": [], "metadata": ""},
       lambda a, s, op, *c: (lambda: iter([tuple(c)])))
_ds_op("RangeDataset", ["start: int64", "stop: int64", "step: int64"],
       dict(_OUT, replicate_on_split=False),
       lambda a, s, op, b, e, st: runtime.range_gen(_i(b), _i(e), _i(st)))
_ds_op("ZipDataset", ["input_datasets: N * variant"], dict(_OUT, N=INT),
       lambda a, s, op, *ds: runtime.zip_gen([_u(d) for d in ds]))
_ds_op("ConcatenateDataset", ["input_dataset: variant", "another_dataset: variant"],
       dict(_OUT), lambda a, s, op, x, y: runtime.concat_gen(_u(x), _u(y)))
_FN = {"f": None, "Targuments": TYPE_LIST}
_ds_op("MapDataset", ["input_dataset: variant", "other_arguments: Targuments"],
       dict(_OUT, use_inter_op_parallelism=True, preserve_cardinality=False,
            force_synchronous=False, **_FN),
       lambda a, s, op, d, *cap: runtime.map_gen(_u(d), _fn(a, s, "f", cap)))
_ds_op("ParallelMapDatasetV2", ["input_dataset: variant", "other_arguments: Targuments",
                                "num_parallel_calls: int64"],
       dict(_OUT, use_inter_op_parallelism=True, deterministic="default",
            preserve_cardinality=False, use_unbounded_threadpool=False, **_FN),
       lambda a, s, op, d, *rest: runtime.parallel_map_gen(
           _u(d), _fn(a, s, "f", rest[:-1]),
           _i(rest[-1]) if _i(rest[-1]) > 0 else 2, s))
_ds_op("FlatMapDataset", ["input_dataset: variant", "other_arguments: Targuments"],
       dict(_OUT, **_FN),
       lambda a, s, op, d, *cap: runtime.flat_map_gen(_u(d), _fn(a, s, "f", cap)))
_ds_op("InterleaveDataset", ["input_dataset: variant", "other_arguments: Targuments",
                             "cycle_length: int64", "block_length: int64"],
       dict(_OUT, **_FN),
       lambda a, s, op, d, *rest: runtime.interleave_gen(
           _u(d), _fn(a, s, "f", rest[:-2]), _i(rest[-2]), _i(rest[-1])))
_ds_op("FilterDataset", ["input_dataset: variant", "other_arguments: Targuments"],
       dict(_OUT, predicate=None, Targuments=TYPE_LIST),
       lambda a, s, op, d, *cap: runtime.filter_gen(_u(d), _fn(a, s, "predicate", cap)))
_ds_op("BatchDatasetV2", ["input_dataset: variant", "batch_size: int64",
                          "drop_remainder: bool"], dict(_OUT, parallel_copy=False),
       lambda a, s, op, d, b, dr: runtime.batch_gen(_u(d), _i(b), bool(np.asarray(dr))))
_ds_op("PaddedBatchDatasetV2", ["input_dataset: variant", "batch_size: int64",
                                "padded_shapes: N * int64", "padding_values: Toutput_types",
                                "drop_remainder: bool"],
       {"Toutput_types": TYPE_LIST, "output_shapes": [], "N": INT, "parallel_copy": False,
        "metadata": ""},
       lambda a, s, op, d, b, *rest: runtime.padded_batch_gen(
           _u(d), _i(b), rest[:a["N"]], rest[a["N"]:2 * a["N"]], bool(np.asarray(rest[-1]))))


def _shuffle_rng(state, op):
    def make(seed, seed2, epoch):
        if seed == 0 and seed2 == 0:
            return np.random.default_rng()
        return np.random.default_rng([seed & 0xFFFFFFFF, seed2 & 0xFFFFFFFF, epoch])

    return make


_ds_op("ShuffleDataset", ["input_dataset: variant", "buffer_size: int64", "seed: int64",
                          "seed2: int64"], dict(_OUT, reshuffle_each_iteration=True),
       lambda a, s, op, d, b, s1, s2: runtime.shuffle_gen(
           _u(d), _i(b), _i(s1), _i(s2), bool(a.get("reshuffle_each_iteration", True)),
           _shuffle_rng(s, op)))
_ds_op("RepeatDataset", ["input_dataset: variant", "count: int64"], dict(_OUT),
       lambda a, s, op, d, c: runtime.repeat_gen(_u(d), _i(c)))
_ds_op("TakeDataset", ["input_dataset: variant", "count: int64"], dict(_OUT),
       lambda a, s, op, d, c: runtime.take_gen(_u(d), _i(c)))
_ds_op("SkipDataset", ["input_dataset: variant", "count: int64"], dict(_OUT),
       lambda a, s, op, d, c: runtime.skip_gen(_u(d), _i(c)))
_ds_op("CacheDataset", ["input_dataset: variant", "filename: string"], dict(_OUT),
       lambda a, s, op, d, f: runtime.cache_gen(_u(d)))
_ds_op("PrefetchDataset", ["input_dataset: variant", "buffer_size: int64"],
       dict(_OUT, slack_period=0, legacy_autotune=True, buffer_size_min=0),
       lambda a, s, op, d, b: runtime.prefetch_gen(_u(d), _i(b), s))


def _tfrecord_source(comp):
    from tensorweave.ops import io_ops

    return lambda p: io_ops._tfrecord_records(p, comp)


def _str(x):
    v = np.asarray(x).reshape(())[()]
    return v.decode() if isinstance(v, bytes) else str(v)


def _tfrecord_batches(comp):
    from tensorweave.formats import tfrecord

    return lambda p: tfrecord.read_record_batches(p, comp or None)


_ds_op("TFRecordDataset", ["filenames: string", "compression_type: string",
                           "buffer_size: int64"], {"metadata": ""},
       lambda a, s, op, f, c, b: runtime.records_gen(f, _tfrecord_source(_str(c)),
                                                     _tfrecord_batches(_str(c))))


def _text_source(comp):
    from tensorweave.ops import io_ops

    if not comp:
        return lambda p: io_ops._text_lines(p)

    def src(p):
        import io

        data = io_ops._read_all(p, comp)
        for i, line in enumerate(io.BytesIO(data), 1):
            yield b"", line.rstrip(b"\n").rstrip(b"\r")

    return src


_ds_op("TextLineDataset", ["filenames: string", "compression_type: string",
                           "buffer_size: int64"], {"metadata": ""},
       lambda a, s, op, f, c, b: runtime.records_gen(f, _text_source(_str(c))))


def _fixed_source(h, r, ft, comp):
    from tensorweave.ops import io_ops

    return lambda p: io_ops._fixed_length(p, h, r, ft, 0, comp)


_ds_op("FixedLengthRecordDatasetV2", ["filenames: string", "header_bytes: int64",
                                      "record_bytes: int64", "footer_bytes: int64",
                                      "buffer_size: int64", "compression_type: string"],
       {"metadata": ""},
       lambda a, s, op, f, h, r, ft, b, c: runtime.records_gen(
           f, _fixed_source(_i(h), _i(r), _i(ft), _str(c))))


def _generator_make(a, s, op, *args):
    entry = op._graph._stateful_python.get(a["_tw_generator"])
    if entry is None:
        raise ValueError("The generator of %s is gone (graph copied?)" % op.name)
    gen_fn, types, args_v = entry
    structured = fg_lib.is_sequence(types)
    flat_types = [dtypes_lib.as_dtype(d) for d in (fg_lib.flatten(types) if structured else
                                                    [types])]

    def gen():
        for el in gen_fn(*args_v):
            flat = _flatten_up_to(types, el)
            if len(flat) != len(flat_types):
                raise errors_invalid("`generator` yielded an element with %d components, "
                                     "expected %d" % (len(flat), len(flat_types)))
            out = []
            for v, dt in zip(flat, flat_types):
                if dt == dtypes_lib.string:
                    from tensorweave.framework import tensor_util

                    out.append(tensor_util.to_array(v, dt))
                else:
                    out.append(np.asarray(v, dtype=dt.np_dtype))
            yield tuple(out)

    return gen


def _flatten_up_to(types, el):
    """Flattens `el` down to the nesting of `types` (deeper lists stay leaves)."""
    if isinstance(types, dict):
        return [x for k in sorted(types) for x in _flatten_up_to(types[k], el[k])]
    if isinstance(types, (list, tuple)):
        if not isinstance(el, (list, tuple)) or len(el) != len(types):
            raise errors_invalid("`generator` yielded an element that did not match the "
                                 "expected structure %s: %r" % (types, el))
        return [x for t, e in zip(types, el) for x in _flatten_up_to(t, e)]
    return [el]


def errors_invalid(msg):
    from tensorweave.framework import errors

    return errors.InvalidArgumentError(None, None, msg)


_ds_op("GeneratorDataset", [], dict(_OUT), _generator_make)


# ============================================================== iterator ops
def _iterator_factory(op, state):
    key = ("iterator", op._attrs.get("container") or "",
           op._attrs.get("shared_name") or op.name)

    def kernel():
        res = state.resource(key, lambda: runtime.IteratorResource(op.name))
        state.resources.setdefault(("iterator_by_handle", _handle_name(key)), res)
        return handle_array(res)

    return kernel


def _handle_name(key):
    return "%s/%s" % (key[1], key[2]) if key[1] else key[2]


def _one_shot_factory(op, state):
    key = ("iterator", op._attrs.get("container") or "",
           op._attrs.get("shared_name") or op.name)
    fg = op._attrs["dataset_factory"]

    def create():
        res = runtime.IteratorResource(op.name)
        plan = runtime.compile_function(fg, state)
        ds = runtime._unwrap(plan.run([])[0])
        res.make(ds)
        return res

    def kernel():
        res = state.resource(key, create)
        state.resources.setdefault(("iterator_by_handle", _handle_name(key)), res)
        return handle_array(res)

    return kernel


def _it_shape(op):
    return [_S([])]


def _get_next_shape(op):
    return [tensor_shape.as_shape(s) for s in op._attrs.get("output_shapes") or []] or [
        tensor_shape.unknown_shape() for _ in op._outputs]


def _get_next_kernel(handle, output_types=None, output_shapes=None):
    el = runtime._unwrap(handle).get_next()
    return el[0] if len(el) == 1 else tuple(el)


def _make_iterator_kernel(dataset, iterator):
    runtime._unwrap(iterator).make(runtime._unwrap(dataset))


def _to_string_handle_factory(op, state):
    def kernel(handle):
        res = runtime._unwrap(handle)
        for k, v in list(state.resources.items()):
            if v is res and k[0] == "iterator":
                return np.asarray(_handle_name(k).encode(), dtype=object)
        return np.asarray(res.name.encode(), dtype=object)

    return kernel


def _from_string_handle_factory(op, state):
    def kernel(string_handle):
        name = _str(string_handle)
        res = state.resources.get(("iterator_by_handle", name))
        if res is None:
            from tensorweave.framework import errors

            raise errors.NotFoundError(None, None, "Iterator resource %s does not exist." %
                                       name)
        return handle_array(res)

    return kernel


_IT = {"output_types": TYPE_LIST, "output_shapes": []}
register_op("IteratorV2", outputs=["handle: resource"],
            attrs=dict(_IT, shared_name="", container=""), shape_fn=_it_shape,
            kernel_factory=_iterator_factory, stateful=True)
register_op("OneShotIterator", outputs=["handle: resource"],
            attrs=dict(_IT, dataset_factory=None, shared_name="", container=""),
            shape_fn=_it_shape, kernel_factory=_one_shot_factory, stateful=True)
register_op("MakeIterator", inputs=["dataset: variant", "iterator: resource"],
            shape_fn=lambda op: [], kernel=_make_iterator_kernel, kernel_attrs=(),
            stateful=True)
register_op("IteratorGetNext", inputs=["iterator: resource"],
            outputs=["components: output_types"], attrs=dict(_IT), shape_fn=_get_next_shape,
            kernel=_get_next_kernel, kernel_attrs=(), stateful=True)
register_op("IteratorToStringHandle", inputs=["resource_handle: resource"],
            outputs=["string_handle: string"], shape_fn=registry.scalar_shape,
            kernel_factory=_to_string_handle_factory, stateful=True)
register_op("IteratorFromStringHandleV2", inputs=["string_handle: string"],
            outputs=["resource_handle: resource"], attrs=dict(_IT), shape_fn=_it_shape,
            kernel_factory=_from_string_handle_factory, stateful=True)

try:
    from tensorweave.runtime import executor as _executor

    _executor.UNLOCKED_OP_TYPES.update(["IteratorGetNext"])
except (ImportError, AttributeError):  # pragma: no cover
    pass
