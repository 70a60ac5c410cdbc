"""Control flow: group/tuple, cond/case (If), while_loop (While), map_fn/scan/foldl/foldr."""
import collections

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import control_flow_ops as cf
from tensorweave.ops import func_graph

RNG = np.random.default_rng(0)
DTYPES = [(tf.float32, np.float32), (tf.float64, np.float64)]


def _run(fetches, feed=None, graph=None):
    with tf.Session(graph=graph or tf.get_default_graph()) as sess:
        return sess.run(fetches, feed)


# ------------------------------------------------------------------ group / tuple
def test_group_names_and_control_inputs():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    g1 = tf.group(a, b)
    assert g1.name == "group_deps" and g1.type == "NoOp"
    assert [c.name for c in g1.control_inputs] == ["a", "b"]
    g2 = tf.group(a, [b], name="grp")
    assert g2.name == "grp"
    assert tf.group().type == "NoOp"
    with pytest.raises(ValueError):
        tf.group(a, foo=1)
    assert _run(g1) is None


def test_group_per_device():
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    g = tf.group(a, b)
    assert g.name == "group_deps"
    assert sorted(c.name for c in g.control_inputs) == ["group_deps/NoOp", "group_deps/NoOp_1"]
    _run(g)


def test_tuple():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.placeholder(tf.float32, [None, 3], name="y")
    t = tf.tuple([x, y])
    assert [v.name for v in t] == ["tuple/control_dependency:0", "tuple/control_dependency_1:0"]
    g = tf.get_default_graph()
    assert g.get_operation_by_name("tuple/group_deps").type == "NoOp"
    xv, yv = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3))
    rx, ry = _run(t, {x: xv, y: yv})
    np.testing.assert_allclose(rx, xv.astype(np.float32))
    np.testing.assert_allclose(ry, yv.astype(np.float32))
    assert t[0].shape.as_list() == [None, 3]
    c = tf.no_op(name="extra")
    t2 = tf.tuple([x], control_inputs=[c])
    assert c in t2[0].op.control_inputs[0].control_inputs


def test_identity_n():
    a = tf.constant([1.0, 2.0])
    b = tf.constant(3, name="b")
    r = tf.identity_n([a, b])
    assert r[0].op.type == "IdentityN" and r[1].dtype == tf.int32
    va, vb = _run(r)
    np.testing.assert_array_equal(va, [1.0, 2.0])
    assert vb == 3


# -------------------------------------------------------------------------- cond
@pytest.mark.parametrize("tfdt,npdt", DTYPES)
def test_cond_values_names_shapes(tfdt, npdt):
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tfdt, [None, 3], name="x")
    c = tf.cond(p, lambda: x * 2.0, lambda: x + 1.0)
    assert c.name == "cond/Merge:0"
    assert c.dtype == tfdt and c.shape.as_list() == [None, 3]
    if_op = tf.get_default_graph().get_operation_by_name("cond")
    assert if_op.type == "StatelessIf"
    assert if_op.get_attr("Tcond") == tf.bool
    assert [d for d in if_op.get_attr("Tout")] == [tfdt]
    xv = RNG.standard_normal((4, 3)).astype(npdt)
    np.testing.assert_allclose(_run(c, {p: True, x: xv}), xv * 2, rtol=1e-6)
    np.testing.assert_allclose(_run(c, {p: False, x: xv}), xv + 1, rtol=1e-6)


def test_cond_functions_in_library_and_captures():
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.placeholder(tf.float32, [2], name="y")
    c = tf.cond(p, lambda: x * 3.0, lambda: y - 1.0)
    op = c.op.inputs[0].op
    then_fg, else_fg = op.get_attr("then_branch"), op.get_attr("else_branch")
    g = tf.get_default_graph()
    assert g._is_function(then_fg.name) and g._is_function(else_fg.name)
    # Captured outer tensors are the If's extra inputs, in the same order in both branches.
    assert [t.name for t in op.inputs] == ["p:0", "x:0", "y:0"]
    assert len(then_fg.inputs) == len(else_fg.inputs) == 2
    assert [o.name for o, _ in then_fg.captures] == ["x:0"]
    xv, yv = np.array([1.0, 2.0], np.float32), np.array([5.0, 7.0], np.float32)
    np.testing.assert_allclose(_run(c, {p: True, x: xv, y: yv}), [3.0, 6.0])
    np.testing.assert_allclose(_run(c, {p: False, x: xv, y: yv}), [4.0, 6.0])


def test_cond_static_shape_merge_and_structures():
    p = tf.placeholder(tf.bool, [], name="p")
    a = tf.placeholder(tf.float32, [2, 3])
    b = tf.placeholder(tf.float32, [3, 3])
    c = tf.cond(p, lambda: a, lambda: b)
    assert c.shape.as_list() == [None, 3]
    Pair = collections.namedtuple("Pair", "u v")
    r = tf.cond(p, lambda: {"k": Pair(a, 1.0)}, lambda: {"k": Pair(a * 2.0, 2.0)})
    assert isinstance(r, dict) and isinstance(r["k"], Pair)
    assert [t.name for t in func_graph.flatten(r)] == ["cond_1/Merge:0", "cond_1/Merge_1:0"]
    av = RNG.standard_normal((2, 3)).astype(np.float32)
    out = _run(r, {p: False, a: av})
    np.testing.assert_allclose(out["k"].u, av * 2)
    assert out["k"].v == 2.0
    # Singleton lists are unpacked unless strict=True.
    s1 = tf.cond(p, lambda: [a], lambda: [a])
    assert isinstance(s1, tf.Tensor)
    s2 = tf.cond(p, lambda: [a], lambda: [a], strict=True)
    assert isinstance(s2, list) and len(s2) == 1


def test_cond_tf1_arg_names_and_errors():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant([1.0, 2.0])
    c = tf.cond(p, fn1=lambda: x, fn2=lambda: -x)
    np.testing.assert_allclose(_run(c, {p: False}), [-1.0, -2.0])
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="true_fn must be callable"):
        tf.cond(p, x, lambda: x)
    with pytest.raises(ValueError, match="same type"):
        tf.cond(p, lambda: x, lambda: tf.constant([1, 2]))
    with pytest.raises(ValueError, match="same structure"):
        tf.cond(p, lambda: (x, x), lambda: x)


def test_cond_stateful_branch_and_op_outputs(capsys):
    p = tf.placeholder(tf.bool, [])
    x = tf.constant([1.0, 2.0])
    c = tf.cond(p, lambda: tf.Print(x, [x], message="then: "), lambda: x)
    assert c.op.inputs[0].op.type == "If"
    r = tf.cond(p, lambda: tf.no_op(), lambda: tf.no_op())
    assert r.dtype == tf.bool
    with tf.Session() as sess:
        sess.run(c, {p: True})
        assert "then: [1 2]" in capsys.readouterr().err
        sess.run(c, {p: False})
        assert "then:" not in capsys.readouterr().err
        assert sess.run(r, {p: True})


def test_nested_cond_captures_through_levels():
    p = tf.placeholder(tf.bool, [], name="p")
    q = tf.placeholder(tf.bool, [], name="q")
    x = tf.placeholder(tf.float64, [3], name="x")
    c = tf.cond(p, lambda: tf.cond(q, lambda: x * 2.0, lambda: x * 3.0), lambda: x - 1.0)
    xv = RNG.standard_normal(3)
    for pv, qv, want in [(True, True, xv * 2), (True, False, xv * 3), (False, True, xv - 1)]:
        np.testing.assert_allclose(_run(c, {p: pv, q: qv, x: xv}), want)


# -------------------------------------------------------------------------- case
def test_case():
    v = tf.placeholder(tf.float32, [], name="v")
    x = tf.constant([1.0, 2.0, 3.0])
    c = tf.case([(tf.less(v, 0.0), lambda: x * 2.0), (tf.less(v, 10.0), lambda: x * 3.0)],
                default=lambda: x - 1.0)
    assert c.name == "case/cond/Merge:0"
    np.testing.assert_allclose(_run(c, {v: -1.0}), [2.0, 4.0, 6.0])
    np.testing.assert_allclose(_run(c, {v: 5.0}), [3.0, 6.0, 9.0])
    np.testing.assert_allclose(_run(c, {v: 50.0}), [0.0, 1.0, 2.0])
    d = tf.case({tf.less(v, 0.0): lambda: x}, default=lambda: -x, name="mycase")
    assert d.name.startswith("mycase/")
    np.testing.assert_allclose(_run(d, {v: 1.0}), [-1.0, -2.0, -3.0])
    with pytest.raises(TypeError):
        tf.case([(tf.less(v, 0.0), x)], default=lambda: x)


def test_case_exclusive_raises_when_two_true():
    v = tf.placeholder(tf.float32, [], name="v")
    x = tf.constant([1.0])
    c = tf.case([(tf.less(v, 0.0), lambda: x), (tf.less(v, 1.0), lambda: x * 2.0)],
                default=lambda: x * 3.0, exclusive=True)
    np.testing.assert_allclose(_run(c, {v: 0.5}), [2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive"):
        _run(c, {v: -1.0})


# -------------------------------------------------------------------- while_loop
@pytest.mark.parametrize("tfdt,npdt", DTYPES)
def test_while_data_dependent_trip_count(tfdt, npdt):
    n = tf.placeholder(tf.int32, [], name="n")
    x = tf.placeholder(tfdt, [None, 3], name="x")
    i0 = tf.constant(0)
    i, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * 1.5), [i0, x])
    assert (i.name, s.name) == ("while/Exit:0", "while/Exit_1:0")
    assert s.shape.as_list() == [None, 3] and s.dtype == tfdt and i.shape.as_list() == []
    w = tf.get_default_graph().get_operation_by_name("while")
    assert w.type == "StatelessWhile"
    assert [t.name for t in w.inputs] == [
        "while/loop_counter:0", "while/maximum_iterations:0", "Const:0", "x:0", "n:0"]
    xv = RNG.standard_normal((2, 3)).astype(npdt)
    for nv in (0, 1, 4):
        iv, sv = _run([i, s], {n: nv, x: xv})
        assert iv == nv
        np.testing.assert_allclose(sv, xv * npdt(1.5) ** nv, rtol=1e-6)


def test_while_nested_structures():
    Acc = collections.namedtuple("Acc", "total count")
    x = tf.placeholder(tf.float32, [3], name="x")

    def body(i, acc, d):
        return (i + 1, Acc(acc.total + x, acc.count + 1), {"a": d["a"] * 2.0, "b": d["b"]})

    res = tf.while_loop(lambda i, acc, d: i < 3, body,
                        (tf.constant(0), Acc(x * 0.0, tf.constant(0)),
                         {"a": tf.constant(1.0), "b": tf.constant([1, 2])}))
    assert isinstance(res, tuple) and isinstance(res[1], Acc) and set(res[2]) == {"a", "b"}
    xv = np.array([1.0, 2.0, 3.0], np.float32)
    out = _run(res, {x: xv})
    assert out[0] == 3 and out[1].count == 3
    np.testing.assert_allclose(out[1].total, xv * 3)
    assert out[2]["a"] == 8.0
    np.testing.assert_array_equal(out[2]["b"], [1, 2])


def test_while_single_var_and_return_same_structure():
    v = tf.while_loop(lambda v: v < 10, lambda v: v * 2, tf.constant(1))
    assert isinstance(v, tf.Tensor) and v.name == "while/Exit:0"
    assert _run(v) == 16
    lst = tf.while_loop(lambda v: v < 10, lambda v: [v * 2], [tf.constant(1)])
    assert isinstance(lst, tf.Tensor)
    lst2 = tf.while_loop(lambda v: v < 10, lambda v: [v * 2], [tf.constant(1)],
                         return_same_structure=True)
    assert isinstance(lst2, list) and _run(lst2) == [16]


def test_while_maximum_iterations():
    n = tf.placeholder(tf.int32, [])
    i = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [tf.constant(0)],
                      maximum_iterations=n)
    assert i.name == "while/Exit_1:0"
    assert _run(i, {n: 7}) == 7
    j = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)],
                      maximum_iterations=10)
    assert _run(j) == 3


def _grow(s):
    out = tf.py_func(lambda a: np.concatenate([a, a[:1]]), [s], tf.float32)
    out.set_shape([None, 3])
    return out


def test_while_shape_invariants():
    x = tf.constant(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, _grow(s)), [tf.constant(0), x])
    _, s = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, _grow(s)),
                         [tf.constant(0), x],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape([None, 3])])
    assert s.shape.as_list() == [None, 3]
    assert _run(s).shape == (5, 3)
    with pytest.raises(ValueError, match="not compatible"):
        tf.while_loop(lambda s: True, lambda s: s, [x], shape_invariants=[[4, 3]])


def test_while_type_change_and_errors():
    with pytest.raises(TypeError, match="enters the loop with type"):
        tf.while_loop(lambda v: v < 3.0, lambda v: tf.constant(1), [tf.constant(0.0)])
    with pytest.raises(TypeError):
        tf.while_loop(1, lambda v: v, [tf.constant(0)])
    with pytest.raises(ValueError):
        tf.while_loop(lambda a, b: a < 3, lambda a, b: (a + 1,), [tf.constant(0),
                                                                  tf.constant(1)])


def test_while_nested_loops_and_cond_in_body():
    n = tf.placeholder(tf.int32, [], name="n")
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float64, [2], name="x")

    def outer_body(i, acc):
        inner = tf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a + x), [0, acc])[1]
        return i + 1, tf.cond(p, lambda: inner, lambda: inner * 2.0)

    _, acc = tf.while_loop(lambda i, acc: i < n, outer_body, [0, x * 0.0])
    xv = RNG.standard_normal(2)
    # sum_{i<n} i = n(n-1)/2 additions of x (p true)
    np.testing.assert_allclose(_run(acc, {n: 4, p: True, x: xv}), xv * 6)
    r = _run(acc, {n: 3, p: False, x: xv})
    # acc_{k+1} = 2 * (acc_k + k x)
    want = np.zeros(2)
    for k in range(3):
        want = 2 * (want + k * xv)
    np.testing.assert_allclose(r, want)


def test_while_with_variable_in_body():
    if not hasattr(tf, "Variable"):
        pytest.skip("variables not available")
    v = tf.Variable(np.float32(2.0), name="v")
    r = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * v), [0, tf.constant(1.0)])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(r[1]) == 8.0


# ------------------------------------------------------------ map_fn / scan / fold
@pytest.mark.parametrize("tfdt,npdt", DTYPES)
def test_map_fn(tfdt, npdt):
    x = tf.placeholder(tfdt, [None, 3], name="x")
    m = tf.map_fn(lambda r: r * 2.0 + 1.0, x)
    assert m.name == "map/TensorArrayStack/TensorArrayGatherV3:0"
    assert m.shape.as_list() == [None, 3] and m.dtype == tfdt
    xv = RNG.standard_normal((5, 3)).astype(npdt)
    np.testing.assert_allclose(_run(m, {x: xv}), xv * 2 + 1, rtol=1e-6)
    assert _run(m, {x: xv[:0]}).shape[0] == 0


def test_map_fn_nested_elems_and_dtype():
    a = tf.constant(RNG.standard_normal((4, 2)))
    b = tf.constant(np.arange(4, dtype=np.int32))
    m = tf.map_fn(lambda e: (e[0] * 2.0, e[1] + 1), (a, b), dtype=(tf.float64, tf.int32))
    assert m[0].shape.as_list() == [4, 2] and m[1].shape.as_list() == [4]
    ra, rb = _run(m)
    np.testing.assert_allclose(ra, _run(a) * 2)
    np.testing.assert_array_equal(rb, np.arange(4) + 1)
    d = tf.map_fn(lambda e: {"s": e["u"] + e["v"]}, {"u": a, "v": a},
                  dtype={"s": tf.float64})
    np.testing.assert_allclose(_run(d)["s"], _run(a) * 2)


@pytest.mark.parametrize("tfdt,npdt", DTYPES)
def test_scan_fold(tfdt, npdt):
    x = tf.placeholder(tfdt, [None, 3], name="x")
    sc = tf.scan(lambda a, r: a + r, x)
    fl = tf.foldl(lambda a, r: a + r, x)
    fr = tf.foldr(lambda a, r: a * 0.5 + r, x)
    sci = tf.scan(lambda a, r: a * r, x, initializer=tf.constant(np.ones(3, npdt)))
    scr = tf.scan(lambda a, r: a + r, x, reverse=True)
    fli = tf.foldl(lambda a, r: a + tf.reduce_sum(r), x, initializer=tf.constant(0.5, tfdt))
    assert sc.name == "scan/TensorArrayStack/TensorArrayGatherV3:0"
    assert fl.name == "foldl/while/Exit_2:0" and fr.name == "foldr/while/Exit_2:0"
    assert fl.shape.as_list() == [3]
    xv = RNG.standard_normal((4, 3)).astype(npdt)
    r = _run([sc, fl, fr, sci, scr, fli], {x: xv})
    np.testing.assert_allclose(r[0], np.cumsum(xv, 0), rtol=1e-5)
    np.testing.assert_allclose(r[1], xv.sum(0), rtol=1e-5)
    want = xv[-1]
    for k in range(2, -1, -1):
        want = want * 0.5 + xv[k]
    np.testing.assert_allclose(r[2], want, rtol=1e-5)
    np.testing.assert_allclose(r[3], np.cumprod(xv, 0), rtol=1e-5)
    np.testing.assert_allclose(r[4], np.cumsum(xv[::-1], 0)[::-1], rtol=1e-5)
    np.testing.assert_allclose(r[5], 0.5 + xv.sum(), rtol=1e-5)


def test_map_fn_errors():
    with pytest.raises(TypeError):
        tf.map_fn(1, tf.constant([1.0]))
    with pytest.raises(ValueError, match="scalars"):
        tf.map_fn(lambda r: r, tf.constant(1.0))


def test_graph_def_has_function_library():
    p = tf.placeholder(tf.bool, [], name="p")
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    tf.cond(p, lambda: x * 2.0, lambda: x + 1.0)
    tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0])
    gd = tf.get_default_graph().as_graph_def()
    names = {f.signature.name: f for f in gd.library.function}
    node = next(n for n in gd.node if n.name == "cond")
    assert node.op == "StatelessIf" and node.attr["then_branch"].func.name in names
    fdef = names[node.attr["then_branch"].func.name]
    assert [a.name for a in fdef.signature.input_arg] == ["x"]
    assert dict(fdef.ret) == {"output_0": "mul:z:0"}
    assert [list(n.input) for n in fdef.node_def if n.name == "mul"] == [["x", "mul/y:output:0"]]
    wnode = next(n for n in gd.node if n.name == "while")
    assert wnode.attr["body"].func.name in names and wnode.attr["cond"].func.name in names


# ------------------------------------------------------------------- gradients


@pytest.fixture(scope="module")
def check_gradient():
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "gradient_check.py")
    spec = importlib.util.spec_from_file_location("tw_gradient_check_cf", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.check_gradient


@pytest.mark.parametrize("pv", [True, False])
def test_if_gradient(check_gradient, pv):
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal(3)
    check_gradient(lambda x, y: tf.cond(tf.constant(pv), lambda: x * x * y,
                                        lambda: x * 3.0 - y), a, b)
    # An input only one branch uses gets zeros from the other branch.
    check_gradient(lambda x, y: tf.cond(tf.constant(pv), lambda: x * 2.0, lambda: y * y),
                   a, a)
    # Nested conds and structured outputs.
    check_gradient(lambda x: tf.cond(tf.constant(pv), lambda: tf.cond(
        tf.constant(not pv), lambda: x, lambda: x * x), lambda: (x + 1.0) * x), a)


def test_while_gradient(check_gradient):
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal(3)
    check_gradient(lambda x, y: tf.while_loop(
        lambda i, s: i < 3, lambda i, s: (i + 1, s * y + x), [0, x])[1], a, b)
    check_gradient(lambda x: tf.while_loop(
        lambda i, s, t: i < 2, lambda i, s, t: (i + 1, s * t, t + s), [0, x, x * 2.0])[2], a)


def test_while_gradient_data_dependent_trip_count():
    n = tf.placeholder(tf.int32, [])
    x = tf.placeholder(tf.float64, [3])
    w = tf.placeholder(tf.float64, [3])
    _, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * w + x), [0, x])
    gx, gw = tf.gradients(tf.reduce_sum(s), [x, w])
    xv, wv = RNG.standard_normal(3), RNG.standard_normal(3)
    eps = 1e-6
    with tf.Session() as sess:
        for nv in (0, 1, 4):
            ax, aw = sess.run([gx, gw], {n: nv, x: xv, w: wv})

            def f(xv_, wv_, nv=nv):
                return sess.run(s, {n: nv, x: xv_, w: wv_}).sum()

            nx = [(f(xv + eps * e, wv) - f(xv - eps * e, wv)) / (2 * eps) for e in np.eye(3)]
            nw = [(f(xv, wv + eps * e) - f(xv, wv - eps * e)) / (2 * eps) for e in np.eye(3)]
            np.testing.assert_allclose(ax, nx, atol=1e-6)
            np.testing.assert_allclose(aw, nw, atol=1e-6)


def test_variables_in_cond_assign_and_gradient():
    v = tf.Variable(np.float32(2.0), name="v")
    p = tf.placeholder(tf.bool, [])
    c = tf.cond(p, lambda: tf.assign(v, v * 3.0), lambda: tf.identity(v))
    y = tf.cond(p, lambda: v * v, lambda: v + 1.0)
    (g,) = tf.gradients(y, [v])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(c, {p: False}) == 2.0
        assert sess.run(c, {p: True}) == 6.0 and sess.run(v) == 6.0
        assert sess.run(g, {p: True}) == 12.0 and sess.run(g, {p: False}) == 1.0


def test_map_scan_fold_gradients(check_gradient):
    a = RNG.standard_normal((4, 3))
    b = RNG.standard_normal(3)
    check_gradient(lambda x: tf.map_fn(lambda r: r * r * 2.0, x), a)
    check_gradient(lambda x, y: tf.map_fn(lambda r: r * y, x), a, b)
    check_gradient(lambda x: tf.scan(lambda acc, r: acc * r + r, x), a)
    check_gradient(lambda x: tf.scan(lambda acc, r: acc + r, x,
                                     initializer=tf.constant(np.ones(3)), reverse=True), a)
    check_gradient(lambda x: tf.foldl(lambda acc, r: acc * r + 1.0, x), a)
    check_gradient(lambda x, y: tf.foldr(lambda acc, r: acc * r + y, x, initializer=y), a, b)


def test_map_fn_gradient_unknown_batch():
    x = tf.placeholder(tf.float64, [None, 3])
    y = tf.map_fn(lambda r: r * r, x)
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    xv = RNG.standard_normal((5, 3))
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g, {x: xv}), 2 * xv)
        assert sess.run(g, {x: xv[:0]}).shape == (0, 3)


class _Pair:
    """A composite loop value (as a TensorArray is: travels as its tensors)."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def _tw_loop_vars(self):
        return [self.a, self.b]

    def _tw_from_loop_vars(self, ts):
        return _Pair(*ts)


def test_composite_loop_values():
    r = tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, _Pair(p.a + p.b, p.b * 2.0)),
                      [0, _Pair(tf.constant(1.0), tf.constant(1.0))])
    assert isinstance(r[1], _Pair)
    a, b = _run([r[1].a, r[1].b])
    assert (a, b) == (8.0, 8.0)
    p = tf.placeholder(tf.bool, [])
    c = tf.cond(p, lambda: _Pair(tf.constant(1.0), tf.constant(2.0)),
                lambda: _Pair(tf.constant(3.0), tf.constant(4.0)))
    assert _run([c.a, c.b], {p: False}) == [3.0, 4.0]


def test_nested_control_flow_gradients(check_gradient):
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal(3)
    check_gradient(lambda x, y: tf.while_loop(
        lambda i, s: i < 4,
        lambda i, s: (i + 1, tf.cond(i < 2, lambda: s * y, lambda: s + x)), [0, x])[1], a, b)
    check_gradient(lambda x, y: tf.while_loop(
        lambda i, s: i < 3,
        lambda i, s: (i + 1, tf.while_loop(lambda j, t: j < i, lambda j, t: (j + 1, t * y),
                                           [0, s])[1] + x), [0, x])[1], a, b)
    check_gradient(lambda x: tf.cond(tf.constant(True), lambda: tf.map_fn(lambda r: r * r, x),
                                     lambda: x), a)


@pytest.mark.filterwarnings("ignore:overflow")
def test_errors_inside_bodies_name_the_calling_op():
    x = tf.placeholder(tf.float32, [2])
    p = tf.placeholder(tf.bool, [])
    c = tf.cond(p, lambda: tf.check_numerics(x, "bad x"), lambda: x)
    w = tf.while_loop(lambda i, s: i < 3,
                      lambda i, s: (i + 1, tf.check_numerics(s * 1e20, "overflow")),
                      [0, x])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad x") as e:
            sess.run(c, {p: True, x: [np.nan, 1.0]})
        assert "op 'cond'" in str(e.value)
        with pytest.raises(tf.errors.InvalidArgumentError, match="iteration 1") as e:
            sess.run(w, {x: [1e10, 1.0]})
        assert "While op 'while'" in str(e.value) or "StatelessWhile op 'while'" in str(e.value)


def test_control_dependency_on_outer_op_inside_branch():
    x = tf.placeholder(tf.float32, [2])
    p = tf.placeholder(tf.bool, [])
    calls = []
    side = tf.py_func(lambda: calls.append(1) or np.float32(0), [], tf.float32)

    def true_fn():
        with tf.control_dependencies([side.op]):
            return tf.identity(x)

    c = tf.cond(p, true_fn, lambda: x)
    assert side.op in c.op.inputs[0].op.control_inputs
    with tf.Session() as sess:
        sess.run(c, {p: True, x: [1.0, 2.0]})
    assert calls == [1]


def test_lift_to_outermost_graph():
    outer = tf.get_default_graph()
    made = []

    def body(i, s):
        with tf.name_scope("cell"), func_graph.lift_to_outermost_graph() as g:
            assert g is outer
            c = tf.constant(2.0, name="c")
            made.append(c)
        return i + 1, s * c

    r = tf.while_loop(lambda i, s: i < 3, body, [0, 1.0])
    assert made[0].graph is outer and made[0].op.name == "cell/c"
    assert _run(r[1]) == 8.0


def test_import_tf2_functional_control_flow_graph_def():
    """A GraphDef written by TF 2.21 (tensorflow.compat.v1, control flow v2):

        p = tf.placeholder(tf.bool, [], name="p")
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        n = tf.placeholder(tf.int32, [], name="n")
        c = tf.cond(p, lambda: x * 2.0, lambda: x + 1.0)
        w = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, tf.cond(
            i < 2, lambda: s * 1.5, lambda: s - x)), [tf.constant(0), x])
        m = tf.map_fn(lambda r: r * 2.0 + 1.0, x)
    and TF's outputs for p=False, x=arange(6).reshape(2, 3), n=4.
    """
    import os

    from tensorboard.compat.proto import graph_pb2

    d = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                     "control_flow")
    with open(os.path.join(d, "tf2_cond_while_map.pb"), "rb") as f:
        gd = graph_pb2.GraphDef.FromString(f.read())
    ref = np.load(os.path.join(d, "tf2_cond_while_map.npz"))
    tf.import_graph_def(gd, name="")
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    got = _run(["cond/Identity:0", "while/Identity_3:0",
                "map/TensorArrayV2Stack/TensorListStack:0"], {"p:0": False, "x:0": xv, "n:0": 4})
    for g, k in zip(got, ref.files):
        np.testing.assert_allclose(g, ref[k], rtol=1e-6)
    # Re-exported GraphDefs carry the functions again (rebuilt or as imported).
    out = tf.get_default_graph().as_graph_def()
    assert {f.signature.name for f in out.library.function} == {
        f.signature.name for f in gd.library.function}


def test_while_gradient_uses_forward_random_values():
    if not hasattr(tf, "random_uniform"):
        pytest.skip("random ops not available")
    x = tf.placeholder(tf.float64, [3])
    _, y = tf.while_loop(lambda i, s: i < 3,
                         lambda i, s: (i + 1, s * tf.random_uniform([3], 0.5, 1.5,
                                                                    dtype=tf.float64)),
                         [0, x])
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    xv = np.array([1.0, 2.0, -3.0])
    with tf.Session() as sess:
        yv, gv = sess.run([y, g], {x: xv})
    np.testing.assert_allclose(gv, yv / xv)


def test_gradients_do_not_repeat_side_effects():
    v = tf.Variable(np.float64(1.0), name="v")
    x = tf.placeholder(tf.float64, [])
    p = tf.placeholder(tf.bool, [])

    def true_fn():
        with tf.control_dependencies([tf.assign_add(v, 1.0)]):
            return x * x

    c = tf.cond(p, true_fn, lambda: x)

    def body(i, s):
        with tf.control_dependencies([tf.assign_add(v, 10.0)]):
            return i + 1, s * x

    _, w = tf.while_loop(lambda i, s: i < 2, body, [0, c])
    (g,) = tf.gradients(w, [x])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(g, {x: 3.0, p: True}) == 4 * 27.0
        assert sess.run(v) == 1.0 + 1.0 + 20.0


def test_if_gradient_uses_forward_random_values():
    if not hasattr(tf, "random_uniform"):
        pytest.skip("random ops not available")
    x = tf.placeholder(tf.float64, [4])
    p = tf.placeholder(tf.bool, [])
    y = tf.cond(p, lambda: x * tf.random_uniform([4], 0.5, 1.5, dtype=tf.float64),
                lambda: x * x)
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    xv = np.array([1.0, 2.0, -3.0, 0.5])
    with tf.Session() as sess:
        yv, gv = sess.run([y, g], {x: xv, p: True})
        np.testing.assert_allclose(gv, yv / xv)
        np.testing.assert_allclose(sess.run(g, {x: xv, p: False}), 2 * xv)


def test_graph_def_round_trip_runs():
    g1 = tf.Graph()
    with g1.as_default():
        p = tf.placeholder(tf.bool, [], name="p")
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        n = tf.placeholder(tf.int32, [], name="n")
        c = tf.cond(p, lambda: x * 2.0, lambda: x + 1.0)
        _, w = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, tf.cond(
            i < 2, lambda: s * 1.5, lambda: s - x)), [0, x], maximum_iterations=3)
        m = tf.map_fn(lambda r: r * 2.0 + 1.0, x)
        feed = {p: False, x: RNG.standard_normal((2, 3)).astype(np.float32), n: 5}
        want = _run([c, w, m], feed, graph=g1)
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(g1.as_graph_def(), name="")
        got = _run([c.name, w.name, m.name], {k.name: v for k, v in feed.items()}, graph=g2)
    for a, b in zip(want, got):
        np.testing.assert_allclose(a, b)


# ------------------------------------------------------------------ TensorArray
def test_tensor_array_in_while_loop_values_shapes_gradient(check_gradient):
    x = tf.placeholder(tf.float64, [None, 3])
    n = tf.shape(x)[0]
    ta_in = tf.TensorArray(tf.float64, size=n).unstack(x)

    def body(i, h, ta):
        h = h * 0.5 + ta_in.read(i)
        return i + 1, h, ta.write(i, h * h)

    _, _, ta = tf.while_loop(lambda i, h, ta: i < n, body,
                             [0, tf.zeros([3], tf.float64), tf.TensorArray(tf.float64, size=n)])
    assert isinstance(ta, tf.TensorArray)
    y = ta.stack()
    assert y.shape.as_list() == [None, 3]
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    xv = RNG.standard_normal((4, 3))
    want, hh = [], np.zeros(3)
    for r in xv:
        hh = hh * 0.5 + r
        want.append(hh * hh)
    yv, gv = _run([y, g], {x: xv})
    np.testing.assert_allclose(yv, want)
    assert gv.shape == (4, 3)
    check_gradient(lambda v: tf.while_loop(
        lambda i, h, ta: i < 4,
        lambda i, h, ta: (i + 1, h * 0.5 + tf.TensorArray(tf.float64, size=4).unstack(v).read(i),
                          ta.write(i, h * h)),
        [0, tf.zeros([3], tf.float64), tf.TensorArray(tf.float64, size=4)])[2].stack() +
        tf.zeros([4, 3], tf.float64), RNG.standard_normal((4, 3)))


def test_tensor_array_dynamic_size_gather_scatter(check_gradient):
    dyn = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    dyn = dyn.write(0, [1.0, 2.0]).write(2, [3.0, 4.0])
    stacked, gathered, size = _run([dyn.stack(), dyn.gather([2, 0]), dyn.size()])
    np.testing.assert_array_equal(stacked, [[1, 2], [0, 0], [3, 4]])
    np.testing.assert_array_equal(gathered, [[3, 4], [1, 2]])
    assert size == 3
    fixed = tf.TensorArray(tf.float32, size=2).write(0, [1.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        _run(fixed.write(5, [2.0]).stack())
    check_gradient(lambda v: tf.TensorArray(tf.float64, size=4).scatter(
        [3, 1, 0, 2], v).gather([0, 2]) * 2.0, RNG.standard_normal((4, 3)))


def test_tensor_list_versions_are_values():
    """In-place writes (O(1)) keep older versions intact (persistent lists)."""
    set_item, reserve = cf._tl_set_item, cf._tl_reserve
    for base in (reserve(np.array([2]), 3), cf.TensorListValue((None, None, None))):
        a, b, c = np.ones(2), np.full(2, 2.0), np.full(2, 3.0)
        v1 = set_item(base, 0, a)
        v2 = set_item(v1, 1, b)
        v1b = set_item(v1, 2, c)
        v3 = set_item(v2, 1, c)
        def show(v):
            return [None if x is None else float(x[0]) for x in v.entries()]
        assert show(v1) == [1.0, None, None] and v1.get(1) is None
        assert show(v2) == [1.0, 2.0, None] and float(v2.get(1)[0]) == 2.0
        assert show(v1b) == [1.0, None, 3.0]
        assert show(v3) == [1.0, 3.0, None]
        assert show(base) == [None, None, None]
        np.testing.assert_array_equal(cf._tl_stack(v2, np.array([2]), "float64"),
                                      [[1, 1], [2, 2], [0, 0]])
