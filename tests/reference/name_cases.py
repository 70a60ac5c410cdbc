"""Graph-building snippets whose op names and types are recorded from real TensorFlow.

Each snippet runs in a fresh ``tf.Graph()`` with ``tf``, ``np`` and an empty dict ``R`` in
scope. The recorder stores the full ``(op.name, op.type)`` list in creation order, the names
of ``tf.global_variables()`` / ``tf.trainable_variables()``, and a description of everything
the snippet put in ``R`` (tensors: name, dtype, static shape, op type; variables: name,
dtype, shape, op, initializer and value names; strings and numbers as they are).
Snippets use only the public TF1 API.
"""

SNIPPETS = []


def snippet(id, code):
    assert all(s["id"] != id for s in SNIPPETS), id
    SNIPPETS.append({"id": id, "code": code.strip("\n")})


snippet("default_names", """
a = tf.constant(1.0)
b = tf.constant(2.0)
c = tf.constant([1, 2, 3])
s1 = a + b
s2 = a + b
s3 = tf.add(a, b)
m = a * b
R.update(a=a, b=b, c=c, s1=s1, s2=s2, s3=s3, m=m)
""")

snippet("explicit_names_collide", """
x = tf.constant(1.0, name='foo')
y = tf.constant(2.0, name='foo')
z = tf.constant(3.0, name='Foo')
w = tf.add(x, y, name='foo')
v = tf.identity(z, name='foo_1')
u = tf.identity(z, name='foo_1')
R.update(x=x, y=y, z=z, w=w, v=v, u=u)
""")

snippet("name_suffix_collision", """
a = tf.constant(1.0, name='add_1')
b = tf.constant(2.0)
c = b + b
d = b + b
e = b + b
R.update(a=a, c=c, d=d, e=e)
""")

snippet("operator_overloads", """
a = tf.placeholder(tf.float32, [None, 3], name='a')
b = tf.placeholder(tf.float32, [None, 3], name='b')
with tf.name_scope('ops'):
    R['add'] = a + b
    R['sub'] = a - b
    R['mul2'] = a * 2
    R['rmul'] = 2.0 * a
    R['div'] = a / b
    R['rdiv'] = 1.0 / a
    R['floordiv'] = a // b
    R['mod'] = a % b
    R['pow'] = a ** 2
    R['neg'] = -a
    R['abs'] = abs(a)
    R['lt'] = a < b
    R['ge'] = a >= 1.0
    R['slice'] = a[1:]
    R['index'] = a[:, 0]
    R['and'] = (a < b) & (a > 0.0)
    R['or'] = (a < b) | (a > 0.0)
    R['not'] = ~(a < b)
    R['matmul'] = a @ tf.transpose(b)
R['outside'] = a + b
R['a_shape'] = a.get_shape().as_list()
R['slice_shape'] = R['slice'].get_shape().as_list()
""")

snippet("name_scopes_nested", """
with tf.name_scope('outer'):
    a = tf.constant(1.0, name='a')
    with tf.name_scope('inner'):
        b = tf.constant(2.0, name='b')
        c = a + b
    with tf.name_scope('inner'):
        d = a * b
    e = tf.identity(c)
with tf.name_scope('outer'):
    f = tf.constant(3.0)
with tf.name_scope('outer/'):
    g = tf.constant(4.0)
with tf.name_scope('outer/inner/'):
    h = tf.constant(5.0, name='h')
with tf.name_scope(None):
    i = tf.constant(6.0)
with tf.name_scope('outer'):
    with tf.name_scope(None):
        j = tf.constant(7.0, name='top')
with tf.name_scope('x') as scope:
    k = tf.constant(8.0, name=scope)
    R['scope'] = scope
with tf.name_scope('') :
    l = tf.constant(9.0, name='empty_scope')
R.update(a=a, b=b, c=c, d=d, e=e, f=f, g=g, h=h, i=i, j=j, k=k, l=l)
""")

snippet("name_scope_values", """
x = tf.placeholder(tf.float32, [2], name='x')
with tf.name_scope('layer', values=[x]) as ns:
    y = tf.multiply(x, 2.0, name='scaled')
    R['ns'] = ns
with tf.name_scope('layer', 'default_name', [x]) as ns2:
    z = tf.identity(y)
    R['ns2'] = ns2
R.update(y=y, z=z)
""")

snippet("variables_plain", """
v = tf.Variable([1.0, 2.0], name='v')
w = tf.Variable(tf.zeros([3, 4]), name='w')
u = tf.Variable(3)
u2 = tf.Variable(4.0)
v2 = tf.Variable([1.0, 2.0], name='v')
t = tf.Variable(tf.constant(1.0), trainable=False, name='step')
R.update(v=v, w=w, u=u, u2=u2, v2=v2, t=t)
R['v_read'] = v.read_value()
R['v_value'] = v.value()
R['v_init_value'] = v.initial_value
R['v_initialized_value'] = v.initialized_value()
R['assign'] = v.assign([3.0, 4.0])
R['assign_add'] = v.assign_add([1.0, 1.0])
R['assign_sub'] = tf.assign_sub(v, [1.0, 1.0])
R['plus'] = v + 1.0
R['init'] = tf.global_variables_initializer()
R['init2'] = tf.variables_initializer([v, w])
R['is_init'] = tf.is_variable_initialized(v)
R['report'] = tf.report_uninitialized_variables()
""")

snippet("variables_in_scopes", """
with tf.name_scope('ns'):
    a = tf.Variable(1.0, name='a')
with tf.variable_scope('vs'):
    b = tf.Variable(2.0, name='b')
    c = tf.get_variable('c', [2], initializer=tf.zeros_initializer())
    with tf.name_scope('inner_ns'):
        d = tf.get_variable('d', [2], initializer=tf.ones_initializer())
        e = tf.Variable(0.5, name='e')
R.update(a=a, b=b, c=c, d=d, e=e)
""")

snippet("get_variable_initializers", """
with tf.variable_scope('init'):
    R['zeros'] = tf.get_variable('zeros', [2, 3], initializer=tf.zeros_initializer())
    R['ones'] = tf.get_variable('ones', [3], initializer=tf.ones_initializer())
    R['const'] = tf.get_variable('const', [2], initializer=tf.constant_initializer(0.1))
    R['normal'] = tf.get_variable('normal', [2, 2],
                                  initializer=tf.random_normal_initializer(stddev=0.1))
    R['trunc'] = tf.get_variable('trunc', [2, 2],
                                 initializer=tf.truncated_normal_initializer(stddev=0.1))
    R['uniform'] = tf.get_variable('uniform', [2, 2],
                                   initializer=tf.random_uniform_initializer(-1, 1))
    R['glorot_u'] = tf.get_variable('glorot_u', [2, 2],
                                    initializer=tf.glorot_uniform_initializer())
    R['glorot_n'] = tf.get_variable('glorot_n', [2, 2],
                                    initializer=tf.glorot_normal_initializer())
    R['vs'] = tf.get_variable('vs', [2, 2], initializer=tf.variance_scaling_initializer())
    R['default'] = tf.get_variable('default', [2, 2])
    R['from_tensor'] = tf.get_variable('from_tensor', initializer=tf.constant([1.0, 2.0]))
    R['int'] = tf.get_variable('int', [2], dtype=tf.int32, initializer=tf.zeros_initializer())
    R['f64'] = tf.get_variable('f64', [2], dtype=tf.float64)
    R['not_trainable'] = tf.get_variable('nt', [1], trainable=False)
""")

snippet("variable_scope_reuse", """
with tf.variable_scope('first-nn-layer'):
    W = tf.get_variable('W', [784, 10])
    b = tf.get_variable('b', [10])
with tf.variable_scope('first-nn-layer', reuse=True):
    W2 = tf.get_variable('W', [784, 10])
with tf.variable_scope('first-nn-layer') as scope:
    scope.reuse_variables()
    b2 = tf.get_variable('b', [10])
    y = tf.identity(b2)
    R['scope_name'] = scope.name
    R['scope_ons'] = scope.original_name_scope
with tf.variable_scope('second-nn-layer') as scope:
    W3 = tf.get_variable('W', [784, 10])
    scope.reuse_variables()
    W4 = tf.get_variable('W', [784, 10])
R['same1'] = W is W2
R['same2'] = b is b2
R['same3'] = W3 is W4
R.update(W=W, b=b, W2=W2, b2=b2, y=y, W3=W3, W4=W4)
""")

snippet("variable_scope_auto_reuse", """
def dense(x):
    with tf.variable_scope('dense', reuse=tf.AUTO_REUSE):
        w = tf.get_variable('w', [3, 2], initializer=tf.ones_initializer())
        return tf.matmul(x, w)
x = tf.placeholder(tf.float32, [None, 3], name='x')
y1 = dense(x)
y2 = dense(x)
y3 = dense(y1[:, :1] * tf.ones([1, 3]))
R.update(y1=y1, y2=y2, y3=y3)
R['n_vars'] = len(tf.global_variables())
""")

snippet("variable_scope_reopen_objects", """
with tf.variable_scope('model') as model_scope:
    a = tf.get_variable('a', [1])
    c1 = tf.constant(1.0)
with tf.variable_scope(model_scope):
    b = tf.get_variable('b', [1])
    c2 = tf.constant(2.0)
with tf.variable_scope(model_scope, reuse=True):
    a2 = tf.get_variable('a', [1])
    c3 = tf.identity(a2)
with tf.variable_scope('model'):
    c4 = tf.constant(4.0)
    with tf.variable_scope('sub'):
        d = tf.get_variable('d', [1])
        c5 = d * 2.0
with tf.variable_scope('other'):
    with tf.variable_scope(model_scope):
        e = tf.get_variable('e', [1])
        c6 = tf.constant(6.0)
R.update(a=a, b=b, a2=a2, c1=c1, c2=c2, c3=c3, c4=c4, d=d, c5=c5, e=e, c6=c6)
R['model_scope_name'] = model_scope.name
""")

snippet("variable_scope_default_name", """
def block(x):
    with tf.variable_scope(None, default_name='block'):
        w = tf.get_variable('w', [2], initializer=tf.ones_initializer())
        return x * w
x = tf.placeholder(tf.float32, [2], name='x')
y = block(block(x))
with tf.variable_scope('s', default_name='ignored'):
    z = tf.get_variable('z', [1])
R.update(y=y, z=z)
""")

snippet("variable_scope_and_name_scope_mix", """
with tf.name_scope('ns'):
    with tf.variable_scope('vs'):
        v = tf.get_variable('v', [1])
        x = tf.constant(1.0, name='x')
with tf.variable_scope('vs2'):
    with tf.name_scope('ns2'):
        w = tf.get_variable('w', [1])
        y = tf.add(w, 1.0)
with tf.variable_scope('vs3/'):
    z = tf.constant(2.0, name='z')
R.update(v=v, x=x, w=w, y=y, z=z)
""")

snippet("identity_and_placeholders", """
x = tf.placeholder(tf.float32, shape=[None, 784], name='x-input')
y_ = tf.placeholder(tf.float32, [None, 10], name='y-input')
p = tf.placeholder(tf.int32)
q = tf.placeholder(tf.float64, [None, None, 3])
k = tf.placeholder_with_default(0.5, shape=[], name='keep_prob')
i1 = tf.identity(x)
i2 = tf.identity(x, name='copy')
R.update(x=x, y_=y_, p=p, q=q, k=k, i1=i1, i2=i2)
R['x_shape'] = x.get_shape().as_list()
R['x_shape_prop'] = x.shape.as_list()
R['q_shape'] = q.get_shape().as_list()
R['p_ndims'] = p.get_shape().ndims
R['by_name'] = tf.get_default_graph().get_tensor_by_name('x-input:0')
R['op_by_name'] = tf.get_default_graph().get_operation_by_name('copy')
""")

snippet("repr_and_dtypes", """
a = tf.constant([1.0, 2.0])
b = a * 2.0
c = tf.placeholder(tf.int32, [None, 3], name='c')
d = tf.placeholder(tf.float32, name='d')
v = tf.Variable([1.0, 2.0], name='v')
R['repr_mul'] = repr(b)
R['repr_placeholder'] = repr(c)
R['repr_unknown_rank'] = repr(d)
R['repr_variable'] = repr(v)
R['str_mul'] = str(b)
R['str_float32'] = str(tf.float32)
R['repr_float32'] = repr(tf.float32)
R['str_int64'] = str(tf.int64)
R['str_bool'] = str(tf.bool)
R['str_string'] = str(tf.string)
R['dtype_name'] = tf.float64.name
R['var_dtype'] = str(v.dtype)
R['var_dtype_base'] = v.dtype.base_dtype.name
R['shape_str'] = str(c.shape)
R['shape_repr'] = repr(c.get_shape())
R['op_name'] = b.op.name
R['op_type'] = b.op.type
R['tensor_index'] = b.value_index
R['inputs'] = [t.name for t in b.op.inputs]
R['consumers'] = [o.name for o in a.consumers()]
""")

snippet("seed000_softmax_scopes", """
with tf.variable_scope('input'):
    x = tf.placeholder(tf.float32, [None, 784], name='x')
    label = tf.placeholder(tf.float32, [None, 10], name='label')
with tf.variable_scope('first-nn-layer'):
    W = tf.Variable(tf.zeros([784, 10]), name='W')
    b = tf.Variable(tf.zeros([10]), name='b')
    y = tf.matmul(x, W) + b
with tf.variable_scope('loss'):
    loss = tf.reduce_mean(tf.square(y - label))

def variable_summaries(var):
    with tf.name_scope('summaries'):
        mean = tf.reduce_mean(var)
        with tf.name_scope('stddev'):
            stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
        mx = tf.reduce_max(var)
        mn = tf.reduce_min(var)
    return mean, stddev, mx, mn

R['summ_W'] = variable_summaries(W)
R['summ_b'] = variable_summaries(b)
R.update(x=x, label=label, W=W, b=b, y=y, loss=loss)
""")

snippet("seed000_layer_helpers", """
def conv2d_layer(input_tensor, size=1, feature=128, name='conv1d'):
    with tf.variable_scope(name):
        shape = input_tensor.get_shape().as_list()
        kernel = tf.get_variable('kernel', (size, shape[-1], feature), dtype=tf.float32,
                                 initializer=tf.random_normal_initializer(stddev=0.01))
        b = tf.get_variable('b', [feature], dtype=tf.float32,
                            initializer=tf.constant_initializer(0))
        out = tf.nn.conv1d(input_tensor, kernel, stride=1, padding='SAME') + b
    return tf.nn.relu(out)

def fc_layer(input_tensor, size=128, name='fc'):
    with tf.variable_scope(name):
        shape = input_tensor.get_shape().as_list()
        W = tf.get_variable('W', (shape[1], size), dtype=tf.float32,
                            initializer=tf.random_normal_initializer(stddev=0.01))
        b = tf.get_variable('b', [size], dtype=tf.float32,
                            initializer=tf.constant_initializer(0))
        out = tf.nn.xw_plus_b(input_tensor, W, b)
    return out

x = tf.placeholder(tf.float32, [None, 16, 4], name='x')
h = conv2d_layer(x, 3, 8, 'conv1')
h = conv2d_layer(h, 3, 8, 'conv2')
f = tf.reshape(h, [-1, 16 * 8])
o = fc_layer(f, 10, 'fc1')
R.update(h=h, f=f, o=o)
""")

snippet("seed002_vgg_blocks", """
def get_weight_variable(shape):
    return tf.get_variable('weight', shape=shape,
                           initializer=tf.truncated_normal_initializer(stddev=0.1))

def get_bias_variable(shape):
    return tf.get_variable('bias', shape=shape, initializer=tf.constant_initializer(0))

def conv2d(x, w, padding='SAME', s=1):
    x = tf.nn.conv2d(x, w, strides=[1, s, s, 1], padding=padding)
    return x

def maxPoolLayer(x):
    return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')

def conv2d_layer(x, in_chs, out_chs, ksize, layer_name):
    with tf.variable_scope(layer_name):
        w = get_weight_variable([ksize, ksize, in_chs, out_chs])
        b = get_bias_variable([out_chs])
        y = tf.nn.relu(tf.nn.bias_add(conv2d(x, w, padding='SAME', s=1), b))
    return y

def fc_layer(x, in_kernels, out_kernels, layer_name):
    with tf.variable_scope(layer_name):
        w = get_weight_variable([in_kernels, out_kernels])
        b = get_bias_variable([out_kernels])
        y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b))
    return y

def VGG_small(x):
    conv1_1 = conv2d_layer(x, x.get_shape().as_list()[-1], 4, 3, 'conv1_1')
    conv1_2 = conv2d_layer(conv1_1, 4, 4, 3, 'conv1_2')
    pool1 = maxPoolLayer(conv1_2)
    conv2_1 = conv2d_layer(pool1, 4, 8, 3, 'conv2_1')
    conv2_2 = conv2d_layer(conv2_1, 8, 8, 3, 'conv2_2')
    pool2 = maxPoolLayer(conv2_2)
    flat_dims = int(np.prod(pool2.get_shape().as_list()[1:]))
    flat = tf.reshape(pool2, [-1, flat_dims])
    fc_6 = fc_layer(flat, flat_dims, 16, 'fc6')
    fc_7 = fc_layer(fc_6, 16, 10, 'fc7')
    return pool1, pool2, flat, fc_7

x = tf.placeholder(tf.float32, [None, 16, 16, 3], name='x')
pool1, pool2, flat, logits = VGG_small(x)
R.update(pool1=pool1, pool2=pool2, flat=flat, logits=logits)
R['logits_shape'] = logits.get_shape().as_list()
R['flat_shape'] = flat.get_shape().as_list()
""")

snippet("seed001_two_layer", """
input_nodes, layer1_nodes, output_nodes = 784, 500, 10
def inference_update(input_tensor, reuse=False):
    with tf.variable_scope('layer1', reuse=reuse):
        weight_1 = tf.get_variable(name='weight_1', dtype=tf.float32,
            initializer=tf.random_normal(shape=[input_nodes, layer1_nodes], mean=0, stddev=1))
        bias_1 = tf.get_variable(name='bias_1', dtype=tf.float32,
            initializer=tf.constant(value=0.01, shape=[layer1_nodes]))
        layer_1 = tf.nn.relu(tf.matmul(input_tensor, weight_1) + bias_1)
    with tf.variable_scope('layer2', reuse=reuse):
        weight_2 = tf.get_variable(name='weight_2',
            initializer=tf.random_normal(shape=[layer1_nodes, output_nodes], mean=0, stddev=1),
            dtype=tf.float32, trainable=True)
        bias_2 = tf.get_variable(name='bias_2', initializer=tf.constant(0.01, shape=[output_nodes]),
                                 dtype=tf.float32)
        layer_2 = tf.matmul(layer_1, weight_2) + bias_2
    return layer_2
x = tf.placeholder(dtype=tf.float32, shape=[None, input_nodes], name='x-input')
y_ = tf.placeholder(dtype=tf.float32, shape=[None, output_nodes], name='y-input')
y = inference_update(x)
y2 = inference_update(x, reuse=True)
global_step = tf.Variable(initial_value=0, trainable=False)
cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(logits=y, labels=tf.arg_max(y_, 1))
cross_entropy_mean = tf.reduce_mean(cross_entropy)
correct_prediction = tf.equal(tf.arg_max(y2, dimension=1), tf.arg_max(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
R.update(y=y, y2=y2, global_step=global_step, cross_entropy=cross_entropy,
         cross_entropy_mean=cross_entropy_mean, accuracy=accuracy)
""")

snippet("collections_and_graph", """
v = tf.Variable(1.0, name='v')
w = tf.Variable(2.0, name='w', trainable=False)
lv = tf.Variable(3.0, name='lv', collections=[tf.GraphKeys.LOCAL_VARIABLES])
tf.add_to_collection('my_things', tf.constant(1.0, name='thing'))
R['global'] = [x.name for x in tf.global_variables()]
R['trainable'] = [x.name for x in tf.trainable_variables()]
R['local'] = [x.name for x in tf.local_variables()]
R['mine'] = [t.name for t in tf.get_collection('my_things')]
R['keys'] = sorted(tf.get_default_graph().get_all_collection_keys())
R['gv_key'] = tf.GraphKeys.GLOBAL_VARIABLES
R['tv_key'] = tf.GraphKeys.TRAINABLE_VARIABLES
R['local_init'] = tf.local_variables_initializer()
R['all_init'] = tf.initialize_all_variables()
""")

snippet("control_deps_and_group", """
a = tf.Variable(1.0, name='a')
b = tf.Variable(2.0, name='b')
inc_a = tf.assign_add(a, 1.0)
inc_b = tf.assign_add(b, 1.0)
with tf.control_dependencies([inc_a]):
    c = tf.identity(b)
    d = b + 1.0
g = tf.group(inc_a, inc_b)
g2 = tf.group(inc_a, inc_b, name='train')
n = tf.no_op()
t = tf.tuple([a.value(), b.value()])
R.update(c=c, d=d, g=g, g2=g2, n=n, t=t)
R['c_control_inputs'] = [op.name for op in c.op.control_inputs]
""")

snippet("shapes_with_none", """
x = tf.placeholder(tf.float32, [None, 28, 28, 1], name='x')
w = tf.Variable(tf.truncated_normal([5, 5, 1, 32], stddev=0.1), name='w')
h = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME')
p = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME')
f = tf.reshape(p, [-1, 14 * 14 * 32])
s = tf.shape(x)
bsz = s[0]
m = tf.reduce_mean(f, axis=1)
k = tf.placeholder(tf.float32)
dr = tf.nn.dropout(f, keep_prob=k)
R.update(h=h, p=p, f=f, s=s, bsz=bsz, m=m, dr=dr)
R['shapes'] = [t.get_shape().as_list() for t in (h, p, f, m, dr)]
""")

snippet("device_and_colocation", """
with tf.device('/cpu:0'):
    a = tf.constant(1.0, name='a')
with tf.device('/device:CPU:0'):
    b = a + 1.0
with tf.colocate_with(a):
    c = tf.identity(a)
R.update(a=a, b=b, c=c)
R['a_device'] = a.device
R['b_device'] = b.op.device
""")

snippet("reduce_and_loss_scopes", """
x = tf.placeholder(tf.float32, [None, 4], name='x')
labels = tf.placeholder(tf.int64, [None], name='labels')
with tf.name_scope('model'):
    W = tf.Variable(tf.zeros([4, 3]), name='W')
    b = tf.Variable(tf.zeros([3]), name='b')
    logits = tf.matmul(x, W) + b
with tf.name_scope('loss'):
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    loss = tf.reduce_mean(xent, name='loss')
with tf.name_scope('accuracy'):
    correct = tf.equal(tf.argmax(logits, 1), labels)
    acc = tf.reduce_mean(tf.cast(correct, tf.float32))
probs = tf.nn.softmax(logits)
R.update(logits=logits, xent=xent, loss=loss, acc=acc, probs=probs)
""")

snippet("assert_print_check_numerics", """
x = tf.placeholder(tf.float32, [None, 3], name='x')
assert_op = tf.Assert(tf.reduce_all(x > -100.0), [x], name='check_range')
with tf.control_dependencies([assert_op]):
    y = tf.identity(x)
p = tf.Print(y, [y, tf.shape(y)], message='y = ', summarize=5)
c = tf.check_numerics(p, 'y has NaN/Inf')
R.update(assert_op=assert_op, y=y, p=p, c=c)
""")

snippet("placeholder_default_names", """
a = tf.placeholder(tf.float32)
b = tf.placeholder(tf.float32, [2])
c = tf.placeholder(tf.int64, shape=(None,))
d = tf.placeholder_with_default([1.0, 2.0], [2])
e = tf.placeholder_with_default(tf.constant(1), [])
R.update(a=a, b=b, c=c, d=d, e=e)
""")
