"""tf.data.Dataset (TF1 DatasetV1 API) and tf.data.Iterator."""
import os

from tensorweave.data import dataset_ops  # noqa: F401 - registers the ops
from tensorweave.framework import dtypes as dtypes_lib
from tensorweave.framework import graph as graph_lib
from tensorweave.framework import registry, tensor_shape, tensor_util
from tensorweave.ops import func_graph as fg_lib

AUTOTUNE = -1
_int64 = dtypes_lib.int64
_S = tensor_shape.TensorShape


def _flat(s):
    return fg_lib.flatten(s) if fg_lib.is_sequence(s) else [s]


def _pack(structure, flat):
    if fg_lib.is_sequence(structure):
        return fg_lib.pack_sequence_as(structure, flat)
    return flat[0]


def _map_structure(fn, s):
    return _pack(s, [fn(x) for x in _flat(s)])


def _i64(v, name):
    return registry.convert_to_tensor(v, dtype=_int64, name=name)


def _normalize_element(element):
    """Python/NumPy leaves -> tensors named 'component_<i>' (structure kept; tuples for lists)."""
    def norm(s):
        if isinstance(s, list):
            return tuple(norm(x) for x in s)
        if isinstance(s, tuple) and not hasattr(s, "_fields"):
            return tuple(norm(x) for x in s)
        if isinstance(s, dict):
            return {k: norm(v) for k, v in s.items()}
        return s

    element = norm(element)
    leaves = _flat(element)
    out = []
    for i, v in enumerate(leaves):
        if isinstance(v, graph_lib.Tensor):
            out.append(v)
        elif hasattr(v, "_as_graph_element") or hasattr(v, "_tw_is_ref_variable"):
            out.append(registry.convert_to_tensor(v))
        else:
            out.append(registry.convert_to_tensor(v, name="component_%d" % i))
    return element, out


class DatasetV1:
    """Represents a potentially large set of elements (tf.data.Dataset, TF1 API)."""

    def __init__(self, variant, types, shapes, classes=None):
        self._variant_tensor = variant
        self._types = types
        self._shapes = shapes

    # ------------------------------------------------------------ structure
    @property
    def output_types(self):
        return self._types

    @property
    def output_shapes(self):
        return self._shapes

    @property
    def output_classes(self):
        return _map_structure(lambda _: graph_lib.Tensor, self._types)

    @property
    def element_spec(self):
        return _map_structure(lambda t: t, self._shapes)

    def _flat_types(self):
        return _flat(self._types)

    def _flat_shapes(self):
        return _flat(self._shapes)

    def _attrs(self, types=None, shapes=None):
        return {"output_types": list(_flat(self._types) if types is None else types),
                "output_shapes": list(_flat(self._shapes) if shapes is None else shapes)}

    def _unary(self, op_type, inputs, types=None, shapes=None, name=None, **attrs):
        t_struct = self._types if types is None else types
        s_struct = self._shapes if shapes is None else shapes
        op = registry.apply_op(op_type, [self._variant_tensor] + list(inputs), name=name,
                               output_types=list(_flat(t_struct)),
                               output_shapes=list(_flat(s_struct)), **attrs)
        return DatasetV1(op._outputs[0], t_struct, s_struct)

    def __iter__(self):
        raise RuntimeError("__iter__() is only supported inside of tf.function or when eager "
                           "execution is enabled.")

    def __repr__(self):
        return "<DatasetV1Adapter shapes: %s, types: %s>" % (self._shapes, self._types)

    # -------------------------------------------------------------- sources
    @staticmethod
    def from_tensors(tensors):
        """A dataset with a single element comprising the given tensors."""
        with graph_lib.name_scope(None, "tensors", None):
            element, flat = _normalize_element(tensors)
        types = _pack(element, [t.dtype.base_dtype for t in flat])
        shapes = _pack(element, [t.shape for t in flat])
        op = registry.apply_op("TensorDataset", [flat], Toutput_types=[t.dtype for t in flat],
                               output_shapes=[t.shape for t in flat])
        return DatasetV1(op._outputs[0], types, shapes)

    @staticmethod
    def from_tensor_slices(tensors):
        """A dataset whose elements are slices of the given tensors (along dim 0)."""
        with graph_lib.name_scope(None, "tensors", None):
            element, flat = _normalize_element(tensors)
        batch = tensor_shape.Dimension(None)
        for t in flat:
            s = t.shape.with_rank_at_least(1)
            batch = batch.merge_with(s[0])
        types = _pack(element, [t.dtype.base_dtype for t in flat])
        shapes = _pack(element, [t.shape[1:] for t in flat])
        op = registry.apply_op("TensorSliceDataset", [flat],
                               Toutput_types=[t.dtype.base_dtype for t in flat],
                               output_shapes=[t.shape[1:] for t in flat])
        return DatasetV1(op._outputs[0], types, shapes)

    @staticmethod
    def range(*args, **kwargs):
        """A dataset of a step-separated range of int64 values."""
        output_type = kwargs.pop("output_type", _int64)
        if len(args) == 1:
            start, stop, step = 0, args[0], 1
        elif len(args) == 2:
            start, stop, step = args[0], args[1], 1
        elif len(args) == 3:
            start, stop, step = args
        else:
            raise ValueError("Invalid arguments to RangeDataset: %s" % (args,))
        if step == 0:
            raise ValueError("step must not be 0")
        op = registry.apply_op("RangeDataset", [_i64(start, "start"), _i64(stop, "stop"),
                                                _i64(step, "step")],
                               output_types=[_int64], output_shapes=[_S([])])
        ds = DatasetV1(op._outputs[0], _int64, _S([]))
        if dtypes_lib.as_dtype(output_type) != _int64:
            from tensorweave.ops import math_ops

            return ds.map(lambda x: math_ops.cast(x, output_type))
        return ds

    @staticmethod
    def zip(datasets):
        """Zips (nested tuples/dicts of) datasets together."""
        flat = _flat(datasets)
        for d in flat:
            if not isinstance(d, DatasetV1):
                raise TypeError("The argument to `Dataset.zip()` must be a (nested) structure "
                                "of `Dataset` objects.")
        types = _pack(datasets, [d._types for d in flat])
        shapes = _pack(datasets, [d._shapes for d in flat])
        op = registry.apply_op("ZipDataset", [[d._variant_tensor for d in flat]],
                               output_types=list(_flat(types)),
                               output_shapes=list(_flat(shapes)))
        return DatasetV1(op._outputs[0], types, shapes)

    def concatenate(self, dataset):
        """Concatenates `dataset` after this one (same structure and types)."""
        if _flat(self._types) != _flat(dataset._types):
            raise TypeError("Two datasets to concatenate have different types %s and %s" % (
                self._types, dataset._types))
        shapes = _pack(self._shapes, [a.most_specific_compatible_shape(b) if hasattr(
            a, "most_specific_compatible_shape") else _common(a, b) for a, b in zip(
            _flat(self._shapes), _flat(dataset._shapes))])
        op = registry.apply_op("ConcatenateDataset", [self._variant_tensor,
                                                      dataset._variant_tensor],
                               output_types=list(_flat(self._types)),
                               output_shapes=list(_flat(shapes)))
        return DatasetV1(op._outputs[0], self._types, shapes)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None):
        """A dataset whose elements are generated by the Python callable `generator`."""
        if not callable(generator):
            raise TypeError("`generator` must be callable.")
        types = _map_structure(dtypes_lib.as_dtype, output_types)
        if output_shapes is None:
            shapes = _map_structure(lambda _: tensor_shape.unknown_shape(), types)
        else:
            shapes = _pack(types, [tensor_shape.as_shape(s) for s in _flat_shapes_arg(
                output_shapes, types)])
        g = graph_lib.get_default_graph()
        token = "pyfunc_gen_%d" % len(g._stateful_python)
        g._stateful_python[token] = (generator, types, tuple(args or ()))
        op = registry.apply_op("GeneratorDataset", [], output_types=list(_flat(types)),
                               output_shapes=list(_flat(shapes)))
        op._attrs["_tw_generator"] = token
        return DatasetV1(op._outputs[0], types, shapes)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None):
        """A dataset of all files matching one or more glob patterns."""
        from tensorweave.ops import io_ops

        with graph_lib.name_scope(None, "list_files", [file_pattern]):
            matching = io_ops.matching_files(file_pattern)
            ds = DatasetV1.from_tensor_slices(matching)
            if shuffle is None or shuffle:
                ds = ds.shuffle(10000, seed=seed)
            return ds

    # ------------------------------------------------------- transformations
    def _trace(self, fn, what, name_hint):
        """Traces fn on this dataset's element structure into a FuncGraph."""
        g = graph_lib.get_default_graph()
        fname = fg_lib.unique_function_name(
            "__inference_Dataset_%s_%s" % (what, getattr(fn, "__name__", "fn").replace(
                "<", "").replace(">", "")))
        flat_types = self._flat_types()
        flat_shapes = self._flat_shapes()
        structure = self._types

        def call(phs):
            el = _pack(structure, phs)
            if isinstance(el, tuple) and not hasattr(el, "_fields"):
                return fn(*el)
            return fn(el)

        fgraph = fg_lib.trace(fn, fname, g, list(zip(flat_types, flat_shapes)), call=call)
        out = fgraph.structured_outputs
        if isinstance(out, list):
            out = tuple(out)
        from tensorweave.ops import control_flow_ops

        leaves = _flat(out)
        tensors = []
        for v in leaves:
            if isinstance(v, DatasetV1):
                t = v._variant_tensor
                if t.graph is not fgraph:
                    t = fgraph._capture(t)
                tensors.append(t)
            else:
                tensors.append(control_flow_ops._to_output_tensor(fgraph, v, what))
        fgraph.outputs = tensors
        fgraph.structured_outputs = out
        captured = [o for o, _ in fgraph.captures]
        fgraph.inputs.extend(i for _, i in fgraph.captures)
        g._add_function(fgraph)
        return fgraph, captured, out, leaves

    def map(self, map_func, num_parallel_calls=None, deterministic=None):
        """Maps map_func across the elements (traced once into a function)."""
        fgraph, captured, out, leaves = self._trace(map_func, "map", "map")
        types = _pack(out, [t.dtype.base_dtype for t in fgraph.outputs])
        shapes = _pack(out, [t.shape for t in fgraph.outputs])
        common = dict(f=fgraph, output_types=list(_flat(types)),
                      output_shapes=list(_flat(shapes)))
        if num_parallel_calls is None:
            op = registry.apply_op("MapDataset", [self._variant_tensor, captured], **common)
        else:
            npc = _i64(num_parallel_calls, "num_parallel_calls")
            op = registry.apply_op("ParallelMapDatasetV2", [self._variant_tensor, captured,
                                                            npc], **common)
        return DatasetV1(op._outputs[0], types, shapes)

    def map_with_legacy_function(self, map_func, num_parallel_calls=None):
        return self.map(map_func, num_parallel_calls)

    def flat_map(self, map_func):
        """Maps map_func (returning a Dataset) and flattens the result."""
        fgraph, captured, out, leaves = self._trace(map_func, "flat_map", "flat_map")
        if not isinstance(out, DatasetV1):
            raise TypeError("`map_func` must return a `Dataset` object.")
        op = registry.apply_op("FlatMapDataset", [self._variant_tensor, captured], f=fgraph,
                               output_types=list(_flat(out._types)),
                               output_shapes=list(_flat(out._shapes)))
        return DatasetV1(op._outputs[0], out._types, out._shapes)

    def interleave(self, map_func, cycle_length=AUTOTUNE, block_length=1,
                   num_parallel_calls=None, deterministic=None):
        """Maps map_func and interleaves the resulting datasets."""
        fgraph, captured, out, leaves = self._trace(map_func, "interleave", "interleave")
        if not isinstance(out, DatasetV1):
            raise TypeError("`map_func` must return a `Dataset` object.")
        if cycle_length is None or cycle_length == AUTOTUNE:
            cycle_length = os.cpu_count() or 1
        op = registry.apply_op("InterleaveDataset", [
            self._variant_tensor, captured, _i64(cycle_length, "cycle_length"),
            _i64(block_length, "block_length")], f=fgraph,
            output_types=list(_flat(out._types)), output_shapes=list(_flat(out._shapes)))
        return DatasetV1(op._outputs[0], out._types, out._shapes)

    def filter(self, predicate):
        """Keeps the elements for which predicate is True."""
        fgraph, captured, out, leaves = self._trace(predicate, "filter", "filter")
        if len(fgraph.outputs) != 1 or fgraph.outputs[0].dtype.base_dtype != dtypes_lib.bool:
            raise ValueError("`predicate` return type must be convertible to a scalar boolean "
                             "tensor. Was %s." % (fgraph.outputs,))
        op = registry.apply_op("FilterDataset", [self._variant_tensor, captured],
                               predicate=fgraph, output_types=list(self._flat_types()),
                               output_shapes=list(self._flat_shapes()))
        return DatasetV1(op._outputs[0], self._types, self._shapes)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None):
        """Combines consecutive elements into batches."""
        bs = _i64(batch_size, "batch_size")
        dr = registry.convert_to_tensor(drop_remainder, dtype=dtypes_lib.bool,
                                        name="drop_remainder")
        dim = None
        if drop_remainder is True or tensor_util.constant_value(dr):
            v = tensor_util.constant_value(bs)
            dim = None if v is None else int(v)
        shapes = _map_structure(lambda s: _S([dim]).concatenate(s), self._shapes)
        return self._unary("BatchDatasetV2", [bs, dr], shapes=shapes, parallel_copy=False)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False):
        """Combines elements into batches, padding each component to padded_shapes."""
        flat_types = self._flat_types()
        if padded_shapes is None:
            padded_shapes = self._shapes
        flat_ps = _flat_shapes_arg(padded_shapes, self._types)
        ps_tensors = []
        out_shapes = []
        for s, cs in zip(flat_ps, self._flat_shapes()):
            if isinstance(s, graph_lib.Tensor):
                ps_tensors.append(s)
                out_shapes.append(tensor_shape.unknown_shape(cs.ndims))
                continue
            s = tensor_shape.as_shape(s)
            ps_tensors.append(registry.convert_to_tensor(
                [-1 if d is None else d for d in s.as_list()], dtype=_int64,
                name="padded_shape"))
            out_shapes.append(s)
        if padding_values is None:
            pv = [registry.convert_to_tensor(b"" if t == dtypes_lib.string else 0, dtype=t,
                                             name="padding_value") for t in flat_types]
        else:
            pv = [registry.convert_to_tensor(v, dtype=t, name="padding_value") for v, t in
                  zip(_flat(padding_values), flat_types)]
        bs = _i64(batch_size, "batch_size")
        dr = registry.convert_to_tensor(drop_remainder, dtype=dtypes_lib.bool,
                                        name="drop_remainder")
        dim = int(tensor_util.constant_value(bs)) if drop_remainder is True else None
        shapes = _pack(self._shapes, [_S([dim]).concatenate(s) for s in out_shapes])
        op = registry.apply_op("PaddedBatchDatasetV2", [self._variant_tensor, bs, ps_tensors,
                                                        pv, dr],
                               Toutput_types=list(flat_types),
                               output_shapes=list(_flat(shapes)))
        return DatasetV1(op._outputs[0], self._types, shapes)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None):
        """Randomly shuffles the elements with a buffer of `buffer_size`."""
        from tensorweave.ops import random_ops

        s1, s2 = random_ops.get_seed(seed)
        if s1 is None:
            s1, s2 = 0, 0
        return self._unary("ShuffleDataset", [_i64(buffer_size, "buffer_size"),
                                              _i64(s1, "seed"), _i64(s2, "seed2")],
                           reshuffle_each_iteration=(True if reshuffle_each_iteration is None
                                                     else bool(reshuffle_each_iteration)))

    def repeat(self, count=None):
        """Repeats this dataset `count` times (forever when None or -1)."""
        return self._unary("RepeatDataset", [_i64(-1 if count is None else count, "count")])

    def take(self, count):
        return self._unary("TakeDataset", [_i64(count, "count")])

    def skip(self, count):
        return self._unary("SkipDataset", [_i64(count, "count")])

    def cache(self, filename=""):
        """Caches the elements (in memory; a filename is accepted and not written)."""
        f = registry.convert_to_tensor(filename, dtype=dtypes_lib.string, name="filename")
        return self._unary("CacheDataset", [f])

    def prefetch(self, buffer_size):
        """Prefetches up to buffer_size elements on a background thread."""
        return self._unary("PrefetchDataset", [_i64(buffer_size, "buffer_size")],
                           slack_period=0, legacy_autotune=True)

    def apply(self, transformation_func):
        ds = transformation_func(self)
        if not isinstance(ds, DatasetV1):
            raise TypeError("`transformation_func` must return a Dataset. Got %s." % ds)
        return ds

    def with_options(self, options):
        return self

    def options(self):
        return Options()

    # ------------------------------------------------------------- iterators
    def make_one_shot_iterator(self):
        """An iterator over this dataset, initialized on first use (no initializer)."""
        return _make_one_shot(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator that must be initialized with `iterator.initializer` first."""
        op = registry.apply_op("IteratorV2", [], name="IteratorV2",
                               shared_name=shared_name or "", container="",
                               output_types=list(self._flat_types()),
                               output_shapes=list(self._flat_shapes()))
        handle = op._outputs[0]
        init = registry.apply_op("MakeIterator", [self._variant_tensor, handle])
        return Iterator(handle, init, self._types, self._shapes)


def _common(a, b):
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return tensor_shape.unknown_shape()
    return _S([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _flat_shapes_arg(shapes, types):
    """Flattens a shapes structure matching `types` (lists of ints are single shapes)."""
    if not fg_lib.is_sequence(types):
        return [shapes]
    if isinstance(types, dict):
        return [shapes[k] for k in sorted(types)] if isinstance(shapes, dict) else list(shapes)
    res = []
    for t, s in zip(types, shapes):
        res.extend(_flat_shapes_arg(s, t))
    return res


class Options:
    """tf.data.Options (accepted, no effect)."""

    def __init__(self):
        self.experimental_deterministic = None
        self.experimental_optimization = None
        self.experimental_threading = None


# ============================================================= one-shot copy
_UNCAPTURABLE = frozenset(["Placeholder", "PlaceholderV2", "PlaceholderWithDefault",
                           "VariableV2", "Variable", "VarHandleOp"])


def _copy_into(fgraph, t, memo):
    """Copies tensor t's producing subgraph into fgraph by value (TF's one-shot rule)."""
    op = t.op
    new = memo.get(id(op))
    if new is None:
        if op.type in _UNCAPTURABLE or (op._opdef is not None and op._opdef.stateful and
                                        not op.type.endswith("Dataset")):
            raise ValueError(
                "Failed to capture %s (name:%s, type:%s) by value: a one-shot iterator cannot "
                "capture placeholders, variables or stateful ops; use "
                "make_initializable_iterator() instead." % (
                    "stateful node" if op.type not in _UNCAPTURABLE else "placeholder",
                    op.name, op.type))
        inputs = [_copy_into(fgraph, i, memo) for i in op.inputs]
        attrs = dict(op._attrs)
        new = registry.create_op_raw(fgraph, op.type, inputs, [o.dtype for o in op.outputs],
                                     op.name + "/", attrs)
        for a, b in zip(op.outputs, new.outputs):
            b._shape = a._shape
        memo[id(op)] = new
    return new.outputs[t.value_index]


def _make_one_shot(ds):
    g = graph_lib.get_default_graph()
    fgraph = fg_lib.FuncGraph(fg_lib.unique_function_name("_make_dataset"), g)
    with fgraph.as_default():
        out = _copy_into(fgraph, ds._variant_tensor, {})
    fgraph.outputs = [out]
    fgraph.structured_outputs = out
    g._add_function(fgraph)
    op = registry.apply_op("OneShotIterator", [], dataset_factory=fgraph,
                           output_types=list(ds._flat_types()),
                           output_shapes=list(ds._flat_shapes()), container="",
                           shared_name="")
    return Iterator(op._outputs[0], None, ds._types, ds._shapes)


# ================================================================= Iterator
class Iterator:
    """Represents the state of iterating through a Dataset (tf.data.Iterator)."""

    def __init__(self, iterator_resource, initializer, output_types, output_shapes,
                 output_classes=None):
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._types = output_types
        self._shapes = output_shapes
        self._get_next_call_count = 0

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None,
                       output_classes=None):
        """A reinitializable iterator for datasets with this structure."""
        types = _map_structure(dtypes_lib.as_dtype, output_types)
        if output_shapes is None:
            shapes = _map_structure(lambda _: tensor_shape.unknown_shape(), types)
        else:
            shapes = _pack(types, [tensor_shape.as_shape(s) for s in
                                   _flat_shapes_arg(output_shapes, types)])
        op = registry.apply_op("IteratorV2", [], name="Iterator",
                               shared_name=shared_name or "", container="",
                               output_types=list(_flat(types)),
                               output_shapes=list(_flat(shapes)))
        return Iterator(op._outputs[0], None, types, shapes)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None):
        """An iterator that switches between iterators fed as string handles."""
        types = _map_structure(dtypes_lib.as_dtype, output_types)
        if output_shapes is None:
            shapes = _map_structure(lambda _: tensor_shape.unknown_shape(), types)
        else:
            shapes = _pack(types, [tensor_shape.as_shape(s) for s in
                                   _flat_shapes_arg(output_shapes, types)])
        string_handle = registry.convert_to_tensor(string_handle, dtype=dtypes_lib.string)
        op = registry.apply_op("IteratorFromStringHandleV2", [string_handle],
                               output_types=list(_flat(types)),
                               output_shapes=list(_flat(shapes)))
        return Iterator(op._outputs[0], None, types, shapes)

    @property
    def initializer(self):
        if self._initializer is not None:
            return self._initializer
        raise ValueError("Iterator does not have an initializer.")

    def make_initializer(self, dataset, name=None):
        """An op that (re)initializes this iterator on `dataset`."""
        with graph_lib.name_scope(name, "make_initializer") as name:
            if _flat(self._types) != _flat(dataset._types):
                raise TypeError("Expected output types %r but got dataset with output types "
                                "%r." % (self._types, dataset._types))
            for a, b in zip(_flat(self._shapes), _flat(dataset._shapes)):
                if not a.is_compatible_with(b):
                    raise TypeError("Expected output shapes compatible with %r but got dataset "
                                    "with output shapes %r." % (self._shapes, dataset._shapes))
            return registry.apply_op("MakeIterator", [dataset._variant_tensor,
                                                      self._iterator_resource], name=name)

    def get_next(self, name=None):
        """A (nested) structure of tensors holding the next element."""
        self._get_next_call_count += 1
        op = registry.apply_op("IteratorGetNext", [self._iterator_resource], name=name,
                               output_types=list(_flat(self._types)),
                               output_shapes=list(_flat(self._shapes)))
        return _pack(self._types, list(op._outputs))

    def string_handle(self, name=None):
        return registry.out(registry.apply_op("IteratorToStringHandle",
                                              [self._iterator_resource], name=name))

    @property
    def output_types(self):
        return self._types

    @property
    def output_shapes(self):
        return self._shapes

    @property
    def output_classes(self):
        return _map_structure(lambda _: graph_lib.Tensor, self._types)

    @property
    def element_spec(self):
        return self._shapes


# ================================================================ file datasets
def _filenames(filenames):
    if isinstance(filenames, DatasetV1):
        raise NotImplementedError("A Dataset of filenames is not supported yet; pass a list")
    return registry.convert_to_tensor(filenames, dtype=dtypes_lib.string, name="filenames")


class TFRecordDataset(DatasetV1):
    """A Dataset comprising records from one or more TFRecord files."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None):
        f = _filenames(filenames)
        c = registry.convert_to_tensor(compression_type or "", dtype=dtypes_lib.string,
                                       name="compression_type")
        b = _i64(buffer_size if buffer_size is not None else 256 * 1024, "buffer_size")
        op = registry.apply_op("TFRecordDataset", [f, c, b])
        super().__init__(op._outputs[0], dtypes_lib.string, _S([]))


class TextLineDataset(DatasetV1):
    """A Dataset comprising lines from one or more text files."""

    def __init__(self, filenames, compression_type=None, buffer_size=None,
                 num_parallel_reads=None):
        f = _filenames(filenames)
        c = registry.convert_to_tensor(compression_type or "", dtype=dtypes_lib.string,
                                       name="compression_type")
        b = _i64(buffer_size if buffer_size is not None else 256 * 1024, "buffer_size")
        op = registry.apply_op("TextLineDataset", [f, c, b])
        super().__init__(op._outputs[0], dtypes_lib.string, _S([]))


class FixedLengthRecordDataset(DatasetV1):
    """A Dataset of fixed-length records from one or more binary files."""

    def __init__(self, filenames, record_bytes, header_bytes=None, footer_bytes=None,
                 buffer_size=None, compression_type=None, num_parallel_reads=None):
        f = _filenames(filenames)
        op = registry.apply_op("FixedLengthRecordDatasetV2", [
            f, _i64(header_bytes or 0, "header_bytes"), _i64(record_bytes, "record_bytes"),
            _i64(footer_bytes or 0, "footer_bytes"),
            _i64(buffer_size if buffer_size is not None else 256 * 1024, "buffer_size"),
            registry.convert_to_tensor(compression_type or "", dtype=dtypes_lib.string,
                                       name="compression_type")])
        super().__init__(op._outputs[0], dtypes_lib.string, _S([]))


Dataset = DatasetV1


# ========================================================== module functions
def make_one_shot_iterator(dataset):
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset, shared_name=None):
    return dataset.make_initializable_iterator(shared_name)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes


# ============================================================== experimental
def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """tf.data.experimental.shuffle_and_repeat (a shuffle then a repeat)."""
    def _apply(ds):
        return ds.shuffle(buffer_size, seed=seed).repeat(count)

    return _apply


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """tf.data.experimental.map_and_batch (a map then a batch)."""
    npc = num_parallel_calls
    if npc is None and num_parallel_batches is not None:
        npc = num_parallel_batches * batch_size

    def _apply(ds):
        return ds.map(map_func, num_parallel_calls=npc).batch(batch_size, drop_remainder)

    return _apply


def ignore_errors():
    raise NotImplementedError("tf.data.experimental.ignore_errors is not supported yet")


def unbatch():
    def _apply(ds):
        return ds.flat_map(lambda *x: DatasetV1.from_tensor_slices(x if len(x) > 1 else x[0]))

    return _apply


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    def _apply(ds):
        return ds.interleave(map_func, cycle_length, block_length)

    return _apply

